import { Injectable } from '@nestjs/common';
import { ReadDatabase } from '../../database/read-database';
import type { Range } from './reports.repository';

/**
 * Every comment of pulses of the period about these teams, in the order of their random sort
 * key (the order of the team page's sample: the same comments first on every reload). The comment
 * index holds only comments of releases that show them (the comment threshold of each release,
 * see report-rollups.sql.ts), each with its own copy of the text, so they outlive the raw answers.
 * Texts only: no date, score or segment comes with them.
 */
export const COMMENT_TEXTS_SQL = `SELECT c.text
         FROM report_comment c
        WHERE c.team_id = ANY($1::uuid[]) AND c.source = 'pulse' AND c.released_on >= $2 AND c.released_on < $3
        ORDER BY c.sort_key, c.answer_id
        LIMIT $4`;

/**
 * At most this many comments of a period are read for search and themes: the first in the random
 * sort order, a fixed random sample (a month of a large team holds tens of thousands, and themes
 * cost CPU per comment on every page view). The card says when a sample was read.
 */
export const COMMENT_READ_LIMIT = 3000;

/**
 * The texts comment search and themes work on. Nothing here is shown as it is: the service
 * reads them only for a period whose comments the team report shows.
 */
@Injectable()
export class CommentReportRepository {
  constructor(private readonly read: ReadDatabase) {}

  async commentTexts(teamIds: string[], range: Range): Promise<string[]> {
    const rows = await this.read.prepared<{ text: string }>(
      'report_commentTexts',
      COMMENT_TEXTS_SQL,
      [teamIds, range.from, range.to, COMMENT_READ_LIMIT],
    );
    return rows.map((r) => r.text);
  }
}
