import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { type ActionStatus, TeamAction } from './entities/team-action.entity';

/** A published action as employees see it, in the table's own words (see ActionsService). */
export interface PublishedActionRow {
  id: string;
  teamId: string;
  heard: string;
  planned: string;
  locale: string;
  translations: Record<string, { heard: string; planned: string }>;
  status: 'in_progress' | 'done';
  doneOn: string | null;
}

/** An action done between two dates, for the trend chart's markers. */
export interface ActionMarkerRow {
  id: string;
  teamId: string;
  planned: string;
  doneOn: string;
  /** Internal actions are for the team's leads and HR only. */
  published: boolean;
}

/** An action as leads and HR list it: with its team and owner named. */
export interface ActionListRow {
  id: string;
  teamId: string;
  teamSlug: string;
  teamName: string;
  heard: string;
  planned: string;
  locale: string;
  translations: Record<string, { heard: string; planned: string }>;
  origin: string;
  originRef: Record<string, string> | null;
  ownerUserId: string | null;
  ownerName: string | null;
  ownerEmail: string | null;
  dueOn: string | null;
  status: ActionStatus;
  doneOn: string | null;
  published: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ActionFilter {
  /** null: every team. */
  teamIds: string[] | null;
  status?: ActionStatus;
  published?: boolean;
  /** Open (planned or in progress) with a due date before this day. */
  dueBefore?: string;
  limit: number;
  offset: number;
}

/** An action whose owner is due a reminder, with what the mail says. */
export interface ReminderRow {
  id: string;
  teamId: string;
  ownerUserId: string;
  planned: string;
  dueOn: string;
  status: ActionStatus;
  teamSlug: string;
  teamName: string;
  ownerEmail: string;
  ownerName: string;
  /** The language of the owner's mail: their own choice, else the team profile's language. */
  ownerLocale: string;
}

const LIST_COLUMNS = `a.id, a.team_id AS "teamId", t.slug AS "teamSlug", t.name AS "teamName",
       a.heard, a.planned, a.locale, a.translations, a.origin, a.origin_ref AS "originRef",
       a.owner_user_id AS "ownerUserId", u.name AS "ownerName", u.email AS "ownerEmail",
       to_char(a.due_on, 'YYYY-MM-DD') AS "dueOn", a.status,
       to_char(a.done_on, 'YYYY-MM-DD') AS "doneOn", a.published,
       a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;
const LIST_FROM = `team_action a JOIN service_team t ON t.id = a.team_id
       LEFT JOIN app_user u ON u.id = a.owner_user_id`;

@Injectable()
export class ActionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get repo() {
    return this.dataSource.getRepository(TeamAction);
  }

  /** Published actions of these teams in progress or done, done ones first, newest first. */
  publishedFor(teamIds: string[], limit: number): Promise<PublishedActionRow[]> {
    if (teamIds.length === 0) return Promise.resolve([]);
    return this.dataSource.query(
      `SELECT id, team_id AS "teamId", heard, planned, locale, translations, status,
              to_char(done_on, 'YYYY-MM-DD') AS "doneOn"
         FROM (SELECT *, row_number() OVER (PARTITION BY team_id
                          ORDER BY (status = 'done') DESC, done_on DESC NULLS LAST, updated_at DESC) AS rank
                 FROM team_action
                WHERE team_id = ANY($1::uuid[]) AND published AND status IN ('in_progress', 'done')) a
        WHERE rank <= $2
        ORDER BY team_id, rank`,
      [teamIds, limit],
    );
  }

  /** Actions of these teams done in [from, to), for markers on a trend chart. */
  doneBetween(teamIds: string[], from: string, to: string): Promise<ActionMarkerRow[]> {
    if (teamIds.length === 0) return Promise.resolve([]);
    return this.dataSource.query(
      `SELECT id, team_id AS "teamId", planned, to_char(done_on, 'YYYY-MM-DD') AS "doneOn", published
         FROM team_action
        WHERE team_id = ANY($1::uuid[]) AND status = 'done' AND done_on >= $2 AND done_on < $3
        ORDER BY done_on, id`,
      [teamIds, from, to],
    );
  }

  /** Actions of these teams (or all), filtered, open ones by due date first, then done ones. */
  async list(filter: ActionFilter): Promise<{ items: ActionListRow[]; total: number }> {
    const where = `($1::uuid[] IS NULL OR a.team_id = ANY($1::uuid[]))
        AND ($2::text IS NULL OR a.status = $2)
        AND ($3::boolean IS NULL OR a.published = $3)
        AND ($4::date IS NULL OR (a.status IN ('planned', 'in_progress') AND a.due_on < $4))`;
    const params = [
      filter.teamIds,
      filter.status ?? null,
      filter.published ?? null,
      filter.dueBefore ?? null,
    ];
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE ${where}
          ORDER BY a.due_on ASC NULLS LAST, a.created_at DESC, a.id
          LIMIT $5 OFFSET $6`,
        [...params, filter.limit, filter.offset],
      ) as Promise<ActionListRow[]>,
      this.dataSource.query(
        `SELECT count(*)::int AS total FROM team_action a WHERE ${where}`,
        params,
      ) as Promise<{ total: number }[]>,
    ]);
    return { items, total };
  }

  async findOne(id: string): Promise<ActionListRow | undefined> {
    const rows: ActionListRow[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE a.id = $1`,
      [id],
    );
    return rows[0];
  }

  /**
   * The action, its row locked FOR UPDATE in `manager`'s transaction: a change read from it and
   * written back cannot be overtaken by another one in between.
   */
  async lockOne(manager: EntityManager, id: string): Promise<ActionListRow | undefined> {
    const rows: ActionListRow[] = await manager.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE a.id = $1 FOR UPDATE OF a`,
      [id],
    );
    return rows[0];
  }

  /** Inserts an action, in `manager`'s transaction (the one that audits it). */
  async insert(manager: EntityManager, values: Partial<TeamAction>): Promise<string> {
    const repo = manager.getRepository(TeamAction);
    const saved = await repo.save(repo.create(values));
    return saved.id;
  }

  /** Writes only the columns in `values`, in `manager`'s transaction. */
  async update(manager: EntityManager, id: string, values: Partial<TeamAction>): Promise<void> {
    await manager.getRepository(TeamAction).update({ id }, values);
  }

  /**
   * Open actions whose owner is due a mail on `today`: `soon` — due within `days` days and not
   * yet reminded of this due date; `overdue` — past due and not yet told so for this due date.
   */
  remindersDue(kind: 'soon' | 'overdue', today: string, days: number): Promise<ReminderRow[]> {
    const condition =
      kind === 'soon'
        ? `a.due_on BETWEEN $1::date AND $1::date + $2::int
           AND a.reminded_for IS DISTINCT FROM a.due_on`
        : `a.due_on < $1::date AND a.overdue_reminded_for IS DISTINCT FROM a.due_on`;
    return this.dataSource.query(
      `SELECT a.id, a.team_id AS "teamId", a.owner_user_id AS "ownerUserId", a.planned,
              to_char(a.due_on, 'YYYY-MM-DD') AS "dueOn", a.status,
              t.slug AS "teamSlug", t.name AS "teamName", u.email AS "ownerEmail", u.name AS "ownerName",
              COALESCE(u.locale, t.profile_locale) AS "ownerLocale"
         FROM team_action a JOIN service_team t ON t.id = a.team_id
         JOIN app_user u ON u.id = a.owner_user_id AND NOT u.disabled
        WHERE a.status IN ('planned', 'in_progress') AND ${condition}
        ORDER BY a.due_on, a.id`,
      kind === 'soon' ? [today, days] : [today],
    );
  }

  /**
   * Marks one reminder sent for the action's current due date, in `manager`'s transaction (the
   * one that queues its mail). False when another run did it first, or the due date moved.
   */
  async claimReminder(
    manager: EntityManager,
    id: string,
    kind: 'soon' | 'overdue',
    dueOn: string,
  ): Promise<boolean> {
    const column = kind === 'soon' ? 'reminded_for' : 'overdue_reminded_for';
    const [, count] = (await manager.query(
      `UPDATE team_action SET ${column} = due_on
        WHERE id = $1 AND due_on = $2::date AND ${column} IS DISTINCT FROM due_on
          AND status IN ('planned', 'in_progress')`,
      [id, dueOn],
    )) as [unknown, number];
    return count === 1;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Open actions per team: overdue (due before `today`) and due from `today` to `until`. */
  async dueCountsByTeam(
    today: string,
    until: string,
  ): Promise<Map<string, { overdue: number; dueSoon: number }>> {
    const rows: { team_id: string; overdue: number; due_soon: number }[] =
      await this.dataSource.query(
        `SELECT team_id, count(*) FILTER (WHERE due_on < $1::date)::int AS overdue,
                count(*) FILTER (WHERE due_on >= $1::date)::int AS due_soon
           FROM team_action
          WHERE status IN ('planned', 'in_progress') AND due_on <= $2::date
          GROUP BY team_id`,
        [today, until],
      );
    return new Map(rows.map((r) => [r.team_id, { overdue: r.overdue, dueSoon: r.due_soon }]));
  }
}
