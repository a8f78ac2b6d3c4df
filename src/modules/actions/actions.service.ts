import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AccountsService } from '../accounts/accounts.service';
import { TeamsService } from '../teams/teams.service';
import { todayIn } from './action-dates';
import { ActionErrors } from './actions.errors';
import {
  type ActionFilter,
  type ActionListRow,
  ActionsRepository,
  type ActionMarkerRow,
} from './actions.repository';

export type { ActionListRow, ActionMarkerRow } from './actions.repository';

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

/** Someone who may own a team's action: a person with an account who may see the team. */
export interface ActionOwner {
  id: string;
  name: string;
  email: string;
  role: string;
}

/** An action as listed, with whether its owner (if any) may still see the team. */
export type OwnedAction = ActionListRow & { ownerHasAccess: boolean };

const ownerAccess = (
  action: ActionListRow,
  mayOwn: (userId: string, teamId: string) => boolean,
): boolean => action.ownerUserId === null || mayOwn(action.ownerUserId, action.teamId);

/** Which teams a caller may see: 'all' (HR, API tokens) or a set of team ids. */
export type Visible = 'all' | Set<string>;

/**
 * Action plans: what teams do about what they heard, and "you said, we did" for employees.
 * Changes go through ActionChangesService (checks and audit); reminders through
 * ActionRemindersService.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly accounts: AccountsService,
    private readonly teams: TeamsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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

  /** Today in the organisation's time zone. */
  today(): string {
    return todayIn(this.config.organisationTimeZone);
  }

  /**
   * Actions of the teams a caller may see, filtered (see ActionFilter), each saying whether its
   * owner may still see the team (`ownerHasAccess`: false for an owner disabled, made a viewer
   * or moved off the team since — such an owner gets no reminder; the lists say so).
   */
  async list(
    visible: Visible,
    filter: Omit<ActionFilter, 'teamIds'> & { teamIds?: string[] },
  ): Promise<{ items: OwnedAction[]; total: number }> {
    const teamIds =
      visible === 'all'
        ? (filter.teamIds ?? null)
        : (filter.teamIds ?? [...visible]).filter((id) => visible.has(id));
    const { items, total } = await this.actions.list({ ...filter, teamIds });
    const mayOwn = await this.ownerCheck();
    return {
      items: items.map((a) => ({ ...a, ownerHasAccess: ownerAccess(a, mayOwn) })),
      total,
    };
  }

  /** One action, if the caller may see its team; otherwise action.not_found (as if none). */
  async get(id: string, visible: Visible, teamId?: string): Promise<OwnedAction> {
    const action = await this.actions.findOne(id);
    if (!action) throw ActionErrors.notFound();
    if (visible !== 'all' && !visible.has(action.teamId)) throw ActionErrors.notFound();
    if (teamId !== undefined && action.teamId !== teamId) throw ActionErrors.notFound();
    return { ...action, ownerHasAccess: ownerAccess(action, await this.ownerCheck()) };
  }

  /**
   * Who may own an action of this team: every active HR admin, and every active lead given
   * this team or one above it. Viewers may not: they read only what employees read, and an
   * owner's reminder carries the action's internal text.
   */
  async ownersFor(teamId: string): Promise<ActionOwner[]> {
    const [users, mayOwn] = await Promise.all([this.accounts.listUsers(), this.ownerCheck()]);
    return users
      .filter((u) => mayOwn(u.id, teamId))
      .map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));
  }

  /**
   * A check, from one read of the accounts and teams, whether a user may own (and be reminded
   * of) an action of a team now: active, and HR or a lead of the team or one above it.
   */
  async ownerCheck(): Promise<(userId: string, teamId: string) => boolean> {
    const [users, teams] = await Promise.all([this.accounts.listUsers(), this.teams.list()]);
    const parentOf = new Map(
      (teams as { id: string; parentId: string | null }[]).map((t) => [t.id, t.parentId]),
    );
    const byId = new Map(users.map((u) => [u.id, u]));
    return (userId, teamId) => {
      const user = byId.get(userId);
      if (!user || user.disabled) return false;
      if (user.role === 'admin') return true;
      if (user.role !== 'lead') return false;
      const own = new Set(user.teamIds ?? []);
      const seen = new Set<string>();
      for (let id: string | null | undefined = teamId; id && !seen.has(id); id = parentOf.get(id)) {
        if (own.has(id)) return true;
        seen.add(id);
      }
      return false;
    };
  }

  /** The team's id by its slug (null when there is none). */
  async teamBySlug(slug: string): Promise<{ id: string; slug: string; name: string } | null> {
    const team = await this.teams.findBySlug(slug);
    return team ? { id: team.id, slug: team.slug, name: team.name } : null;
  }

  /** Every team (for the HR list's filter). */
  async allTeams(): Promise<{ id: string; slug: string; name: string }[]> {
    return ((await this.teams.list()) as { id: string; slug: string; name: string }[]).map((t) => ({
      id: t.id,
      slug: t.slug,
      name: t.name,
    }));
  }

  /** Open actions per team id: overdue on `today`, and due within `days` days from it. */
  dueCounts(
    today: string,
    days: number,
  ): Promise<Map<string, { overdue: number; dueSoon: number }>> {
    const until = new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000);
    return this.actions.dueCountsByTeam(today, until.toISOString().slice(0, 10));
  }
}
