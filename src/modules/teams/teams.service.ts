import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CreateTeamDto } from './dto/create-team.dto';
import { ServiceTeam } from './entities/service-team.entity';
import {
  changedParts,
  profileOf,
  profileVersion,
  readProfile,
  type TeamProfile,
} from './team-profile';
import { TeamErrors } from './teams.errors';
import { TeamsRepository } from './teams.repository';

/** Slugs the service directory's own pages take (`/services/access`, `/services/pass/…`). */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set(['access', 'pass']);

@Injectable()
export class TeamsService {
  constructor(private readonly teams: TeamsRepository) {}

  async create(input: CreateTeamDto): Promise<ServiceTeam> {
    if (RESERVED_SLUGS.has(input.slug)) throw TeamErrors.slugReserved(input.slug);
    if (await this.teams.findBySlug(input.slug)) throw TeamErrors.slugTaken(input.slug);
    let parentId: string | null = null;
    if (input.parentSlug !== undefined && input.parentSlug !== null) {
      const parent = await this.teams.findBySlug(input.parentSlug);
      if (!parent) throw TeamErrors.parentNotFound(input.parentSlug);
      parentId = parent.id;
    }
    try {
      return await this.teams.insert({
        slug: input.slug,
        name: input.name,
        parentId,
        npsTarget: input.npsTarget ?? null,
        csatTarget: input.csatTarget ?? null,
        firstResponseTargetMinutes: input.firstResponseTargetMinutes ?? null,
        resolutionTargetMinutes: input.resolutionTargetMinutes ?? null,
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw TeamErrors.slugTaken(input.slug);
      throw error;
    }
  }

  list() {
    return this.teams.listAsTree();
  }

  /** The tree as report figures see it: read where the request's report reads go (replica or primary). */
  reportTree() {
    return this.teams.listAsTreeForReports();
  }

  findBySlug(slug: string): Promise<ServiceTeam | null> {
    return this.teams.findBySlug(slug);
  }

  async getBySlug(slug: string): Promise<ServiceTeam> {
    const team = await this.teams.findBySlug(slug);
    if (!team) throw TeamErrors.notFound(slug);
    return team;
  }

  async get(id: string): Promise<ServiceTeam> {
    const team = await this.teams.findById(id);
    if (!team) throw TeamErrors.notFound(id);
    return team;
  }

  /** A team's profile: what it handles, its hours, channels and service standards. */
  async profile(
    slug: string,
  ): Promise<{ team: ServiceTeam; profile: TeamProfile; version: string }> {
    const team = await this.getBySlug(slug);
    const profile = profileOf(team);
    return { team, profile, version: profileVersion(profile) };
  }

  /**
   * Replaces a team's profile with `input`, checked whole (every problem listed, nothing written
   * unless there is none). The team is read with its row locked, and only the parts that changed
   * are written; `then` (the caller's audit entry) runs in the same transaction when something
   * changed. With `basedOn` (profileVersion of what the caller started from), a profile changed
   * since is refused (team.profile_changed, 409) rather than overwritten. Returns the parts that
   * changed and the new version.
   */
  async updateProfile(
    slug: string,
    input: unknown,
    options: {
      basedOn?: string;
      then?: (changed: string[], manager: EntityManager) => Promise<void>;
    } = {},
  ): Promise<{ team: ServiceTeam; profile: TeamProfile; changed: string[]; version: string }> {
    const { profile, problems } = readProfile(input);
    return this.teams.lockedBySlug(slug, async (team, manager) => {
      if (!team) throw TeamErrors.notFound(slug);
      if (!profile) throw TeamErrors.invalidProfile(problems);
      if (options.basedOn !== undefined && options.basedOn !== profileVersion(profileOf(team)))
        throw TeamErrors.profileChanged();
      const changed = changedParts(profileOf(team), profile);
      if (changed.length > 0) {
        const parts = Object.fromEntries(
          changed.map((part) => [part, profile[part as keyof TeamProfile]]),
        ) as Partial<TeamProfile>;
        await this.teams.updateProfile(manager, team.id, parts);
        if (options.then) await options.then(changed, manager);
      }
      return { team: { ...team, ...profile }, profile, changed, version: profileVersion(profile) };
    });
  }
}
