import { Injectable } from '@nestjs/common';
import { ActionsRepository, type ActionMarkerRow } from './actions.repository';

/** A published action in the reader's language, or in the one it was written in (marked). */
export interface PublishedAction {
  id: string;
  teamId: string;
  heard: string;
  planned: string;
  status: 'in_progress' | 'done';
  doneOn: string | null;
  /** The language of `heard` and `planned`. */
  locale: string;
  /** False when the reader's language had no translation and the original is shown. */
  translated: boolean;
}

/** Action plans: what teams do about what they heard, and "you said, we did" for employees. */
@Injectable()
export class ActionsService {
  constructor(private readonly actions: ActionsRepository) {}

  /**
   * "You said, we did" of these teams for a reader of `locale`: published actions in progress
   * or done (at most `limit` a team), each in the reader's language when translated.
   */
  async publishedFor(teamIds: string[], locale: string, limit = 5): Promise<PublishedAction[]> {
    const rows = await this.actions.publishedFor(teamIds, limit);
    return rows.map((row) => {
      const own = row.locale === locale;
      const translation = own ? undefined : row.translations?.[locale];
      const texts = translation ?? { heard: row.heard, planned: row.planned };
      return {
        id: row.id,
        teamId: row.teamId,
        heard: texts.heard,
        planned: texts.planned,
        status: row.status,
        doneOn: row.doneOn,
        locale: own || translation ? locale : row.locale,
        translated: own || translation !== undefined,
      };
    });
  }

  /** Actions done in [from, to) (local dates), for the markers of a team's trend chart. */
  markers(teamIds: string[], from: string, to: string): Promise<ActionMarkerRow[]> {
    return this.actions.doneBetween(teamIds, from, to);
  }
}
