import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { ServiceTeam } from './entities/service-team.entity';
import type { TeamProfile } from './team-profile';

@Injectable()
export class TeamsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ServiceTeam);
  }

  findBySlug(slug: string): Promise<ServiceTeam | null> {
    return this.repo.findOneBy({ slug });
  }

  findById(id: string): Promise<ServiceTeam | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<ServiceTeam[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.repo.findBy({ id: In(ids) });
  }

  /** Every team, parents before children, siblings by name. */
  async listAsTree(): Promise<(ServiceTeam & { depth: number })[]> {
    const rows: (ServiceTeam & { depth: number })[] = await this.dataSource.query(`
      WITH RECURSIVE tree AS (
        SELECT t.*, 0 AS depth, ARRAY[t.name::text] AS path FROM service_team t WHERE t.parent_id IS NULL
        UNION ALL
        SELECT c.*, tree.depth + 1, tree.path || c.name::text FROM service_team c JOIN tree ON c.parent_id = tree.id
      )
      SELECT id, slug, name, parent_id AS "parentId", nps_target AS "npsTarget", csat_target AS "csatTarget",
             first_response_target_minutes AS "firstResponseTargetMinutes",
             resolution_target_minutes AS "resolutionTargetMinutes", created_at AS "createdAt", depth
      FROM tree ORDER BY path`);
    return rows;
  }

  /** Replaces a team's profile (its self-description, hours, channels and standards). */
  async updateProfile(id: string, profile: TeamProfile): Promise<void> {
    await this.repo.update({ id }, profile);
  }

  insert(team: Partial<ServiceTeam>): Promise<ServiceTeam> {
    return this.repo.save(this.repo.create(team));
  }
}
