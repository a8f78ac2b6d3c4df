import { Injectable } from '@nestjs/common';
import { CreateTeamDto } from './dto/create-team.dto';
import { ServiceTeam } from './entities/service-team.entity';
import { changedParts, profileOf, readProfile, type TeamProfile } from './team-profile';
import { TeamErrors } from './teams.errors';
import { TeamsRepository } from './teams.repository';

@Injectable()
export class TeamsService {
  constructor(private readonly teams: TeamsRepository) {}

  async create(input: CreateTeamDto): Promise<ServiceTeam> {
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
  async profile(slug: string): Promise<{ team: ServiceTeam; profile: TeamProfile }> {
    const team = await this.getBySlug(slug);
    return { team, profile: profileOf(team) };
  }

  /**
   * Replaces a team's profile with `input`, checked whole (every problem listed, nothing written
   * unless there is none). Returns the parts that changed, for the caller's audit entry.
   */
  async updateProfile(
    slug: string,
    input: unknown,
  ): Promise<{ team: ServiceTeam; profile: TeamProfile; changed: string[] }> {
    const team = await this.getBySlug(slug);
    const { profile, problems } = readProfile(input);
    if (!profile) throw TeamErrors.invalidProfile(problems);
    const changed = changedParts(profileOf(team), profile);
    if (changed.length > 0) await this.teams.updateProfile(team.id, profile);
    return { team: { ...team, ...profile }, profile, changed };
  }
}
