import { Injectable } from '@nestjs/common';
import { CreateTeamDto } from './dto/create-team.dto';
import { ServiceTeam } from './entities/service-team.entity';
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
}
