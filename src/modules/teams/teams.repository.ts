import { ReadDatabase } from '../../database/read-database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { ServiceTeam } from './entities/service-team.entity';
import type { TeamProfile } from './team-profile';

@Injectable()
export class TeamsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly read: ReadDatabase,
  ) {}

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
    const rows: (ServiceTeam & { depth: number })[] = await this.dataSource.query(TREE_SQL);
    return rows;
  }

  /**
   * The same tree for report figures: on the server the request's report reads use (the replica
   * while it keeps up, ReadDatabase), so that a report's tree and its figures agree.
   */
  listAsTreeForReports(): Promise<(ServiceTeam & { depth: number })[]> {
    return this.read.query<ServiceTeam & { depth: number }>(TREE_SQL, []);
  }

  /** Replaces a team's profile (its self-description, hours, channels and standards). */
  /**
   * Runs `work` in a transaction on the team's row locked FOR UPDATE (null when there is none):
   * a change read from it and written back cannot be overtaken by another one in between.
   */
  lockedBySlug<T>(
    slug: string,
    work: (team: ServiceTeam | null, manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const team = await manager
        .getRepository(ServiceTeam)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.slug = :slug', { slug })
        .getOne();
      return work(team, manager);
    });
  }

  /** Writes only the profile's parts given, in `manager`'s transaction. */
  async updateProfile(
    manager: EntityManager,
    id: string,
    parts: Partial<TeamProfile>,
  ): Promise<void> {
    await manager.getRepository(ServiceTeam).update({ id }, parts);
  }

  insert(team: Partial<ServiceTeam>): Promise<ServiceTeam> {
    return this.repo.save(this.repo.create(team));
  }
}

/** Every team with its depth, parents before children, siblings by name. */
const TREE_SQL = `
      WITH RECURSIVE tree AS (
        SELECT t.*, 0 AS depth, ARRAY[t.name::text] AS path FROM service_team t WHERE t.parent_id IS NULL
        UNION ALL
        SELECT c.*, tree.depth + 1, tree.path || c.name::text FROM service_team c JOIN tree ON c.parent_id = tree.id
      )
      SELECT id, slug, name, parent_id AS "parentId", nps_target AS "npsTarget", csat_target AS "csatTarget",
             first_response_target_minutes AS "firstResponseTargetMinutes",
             resolution_target_minutes AS "resolutionTargetMinutes", created_at AS "createdAt", depth
      FROM tree ORDER BY path`;
