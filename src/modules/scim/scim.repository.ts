import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { ScimGroup, ScimGroupMember } from './entities/scim-group.entity';
import { ScimUser } from './entities/scim-user.entity';
import type { ScimExtras } from './scim-user-mapping';

/** One branch of a group filter: every given condition holds. */
export interface GroupMatch {
  id?: string;
  displayName?: string;
  externalId?: string;
  member?: string;
}

/** SCIM's own tables: what it keeps of users beside the directory, and groups. */
@Injectable()
export class ScimRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async extrasOf(employeeIds: string[]): Promise<Map<string, ScimUser>> {
    if (employeeIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(ScimUser)
      .findBy({ employeeId: In(employeeIds) });
    return new Map(rows.map((row) => [row.employeeId, row]));
  }

  /** Employees a SCIM DELETE removed: gone for SCIM. */
  async deletedIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      'SELECT employee_id AS id FROM scim_user WHERE deleted_at IS NOT NULL',
    );
    return rows.map((r) => r.id);
  }

  async idsByExternalId(externalId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      'SELECT employee_id AS id FROM scim_user WHERE external_id = $1 AND deleted_at IS NULL',
      [externalId],
    );
    return rows.map((r) => r.id);
  }

  /** Writes SCIM's part of a user (a live one: a write after a DELETE brings the user back). */
  async saveExtras(manager: EntityManager, employeeId: string, extras: ScimExtras) {
    await manager.query(
      `INSERT INTO scim_user (employee_id, external_id, given_name, family_name, manager_id, deleted_at)
       VALUES ($1, $2, $3, $4, $5, NULL)
       ON CONFLICT (employee_id) DO UPDATE SET external_id = EXCLUDED.external_id,
         given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name,
         manager_id = EXCLUDED.manager_id, deleted_at = NULL, updated_at = now()`,
      [employeeId, extras.externalId, extras.givenName, extras.familyName, extras.managerId],
    );
  }

  /** A SCIM DELETE: marked gone, out of every group, no longer anyone's manager. */
  async markDeleted(manager: EntityManager, employeeId: string) {
    await manager.query(
      `INSERT INTO scim_user (employee_id, deleted_at) VALUES ($1, now())
       ON CONFLICT (employee_id) DO UPDATE SET deleted_at = now(), external_id = NULL, updated_at = now()`,
      [employeeId],
    );
    await manager.query('DELETE FROM scim_group_member WHERE employee_id = $1', [employeeId]);
    await manager.query(
      'UPDATE scim_user SET manager_id = NULL, updated_at = now() WHERE manager_id = $1',
      [employeeId],
    );
  }

  async findGroups(
    anyOf: GroupMatch[] | undefined,
    offset: number,
    limit: number,
  ): Promise<{ items: ScimGroup[]; total: number }> {
    const builder = this.dataSource.getRepository(ScimGroup).createQueryBuilder('g');
    if (anyOf !== undefined) {
      if (anyOf.length === 0) return { items: [], total: 0 };
      const params: Record<string, unknown> = {};
      const branches = anyOf.map((branch, i) => {
        const parts = ['true'];
        if (branch.id !== undefined) {
          parts.push(`g.id::text = :id${i}`);
          params[`id${i}`] = branch.id;
        }
        if (branch.displayName !== undefined) {
          parts.push(`g.display_name = :name${i}`);
          params[`name${i}`] = branch.displayName;
        }
        if (branch.externalId !== undefined) {
          parts.push(`g.external_id = :ext${i}`);
          params[`ext${i}`] = branch.externalId;
        }
        if (branch.member !== undefined) {
          parts.push(
            `EXISTS (SELECT 1 FROM scim_group_member m WHERE m.group_id = g.id AND m.employee_id::text = :member${i})`,
          );
          params[`member${i}`] = branch.member;
        }
        return `(${parts.join(' AND ')})`;
      });
      builder.andWhere(`(${branches.join(' OR ')})`, params);
    }
    const total = await builder.getCount();
    const items =
      limit === 0
        ? []
        : await builder
            .orderBy('g.created_at', 'ASC')
            .addOrderBy('g.id', 'ASC')
            .offset(offset)
            .limit(limit)
            .getMany();
    return { items, total };
  }

  findGroup(id: string): Promise<ScimGroup | null> {
    return this.dataSource.getRepository(ScimGroup).findOneBy({ id });
  }

  async membersOf(groupIds: string[]): Promise<Map<string, string[]>> {
    const members = new Map<string, string[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return members;
    const rows = await this.dataSource
      .getRepository(ScimGroupMember)
      .findBy({ groupId: In(groupIds) });
    for (const row of rows) members.get(row.groupId)?.push(row.employeeId);
    return members;
  }

  async insertGroup(
    manager: EntityManager,
    group: { displayName: string; externalId: string | null },
  ): Promise<ScimGroup> {
    const repo = manager.getRepository(ScimGroup);
    return repo.save(repo.create(group));
  }

  /** Writes a group's name and its whole member list. */
  async saveGroup(
    manager: EntityManager,
    id: string,
    group: { displayName: string; externalId: string | null },
    members: string[],
  ) {
    await manager
      .getRepository(ScimGroup)
      .update({ id }, { displayName: group.displayName, externalId: group.externalId });
    await manager.query('DELETE FROM scim_group_member WHERE group_id = $1', [id]);
    if (members.length > 0)
      await manager.query(
        `INSERT INTO scim_group_member (group_id, employee_id)
         SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
        [id, members],
      );
  }

  async deleteGroup(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager.getRepository(ScimGroup).delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
