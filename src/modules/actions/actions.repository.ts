import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TeamAction } from './entities/team-action.entity';

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
}

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
      `SELECT id, team_id AS "teamId", planned, to_char(done_on, 'YYYY-MM-DD') AS "doneOn"
         FROM team_action
        WHERE team_id = ANY($1::uuid[]) AND status = 'done' AND done_on >= $2 AND done_on < $3
        ORDER BY done_on, id`,
      [teamIds, from, to],
    );
  }
}
