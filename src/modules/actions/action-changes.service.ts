import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { type ActionPatch, checkActionPatch } from './action-input';
import { ActionErrors } from './actions.errors';
import { type ActionListRow, ActionsRepository } from './actions.repository';
import { ActionsService, type OwnedAction } from './actions.service';
import type { TeamAction } from './entities/team-action.entity';

export interface ChangeContext {
  actor: Principal | undefined;
  ip?: string;
}

/** Fields whose values the audit log keeps (the texts are named, not copied). */
const AUDITED_VALUES = ['locale', 'ownerId', 'dueOn', 'published', 'doneOn'] as const;

/**
 * Creating and changing actions: the rules beyond the fields' own checks (owner, done date,
 * dropped and published), one audit entry per change — `action.created`, `action.updated`
 * (which fields changed) and `action.status_changed`.
 */
@Injectable()
export class ActionChangesService {
  constructor(
    private readonly actions: ActionsRepository,
    private readonly reads: ActionsService,
    private readonly audit: AuditService,
  ) {}

  /** A new action of `team` from the API's JSON or the form's fields (see checkActionPatch). */
  async create(
    team: { id: string; slug: string },
    raw: Record<string, unknown>,
    context: ChangeContext,
  ): Promise<OwnedAction> {
    const { patch, problems } = checkActionPatch(raw, true);
    const status = patch.status ?? 'planned';
    const locale = patch.locale ?? 'en';
    this.checkTranslations(patch.translations, locale, problems);
    const doneOn = this.doneOnFor(status, patch, null, problems);
    if (problems.length > 0) throw ActionErrors.invalid(problems);
    const published = patch.published ?? false;
    if (published && status === 'dropped') throw ActionErrors.droppedNotPublishable();
    if (patch.ownerId) await this.checkOwner(team.id, patch.ownerId);

    // The action and its audit entry in one transaction: neither without the other.
    const id = await this.actions.transaction(async (manager) => {
      const created = await this.actions.insert(manager, {
        teamId: team.id,
        heard: patch.heard,
        planned: patch.planned,
        locale,
        translations: patch.translations ?? {},
        origin: patch.origin ?? 'other',
        originRef: patch.originRef ?? null,
        ownerUserId: patch.ownerId ?? null,
        dueOn: patch.dueOn ?? null,
        status,
        doneOn,
        published,
        createdBy: context.actor?.kind === 'user' ? context.actor.id : null,
      });
      await this.audit.record(
        {
          action: 'action.created',
          actor: context.actor,
          target: `action ${created}`,
          ip: context.ip,
          details: {
            team: team.slug,
            status,
            published,
            origin: patch.origin ?? 'other',
            dueOn: patch.dueOn ?? null,
            ownerId: patch.ownerId ?? null,
          },
        },
        manager,
      );
      return created;
    });
    return this.reads.get(id, 'all');
  }

  /**
   * Changes the fields given; the others stay. Nothing changes and nothing is audited if equal.
   * The action is read again with its row locked, in the transaction that writes the columns
   * that changed and their audit entries: two changes at once both land, one after the other,
   * and each entry says what that change did.
   */
  async update(
    caller: OwnedAction,
    raw: Record<string, unknown>,
    context: ChangeContext,
  ): Promise<OwnedAction> {
    const { patch, problems } = checkActionPatch(raw, false);
    const changedAny = await this.actions.transaction(async (manager) => {
      const current = await this.actions.lockOne(manager, caller.id);
      if (!current) throw ActionErrors.notFound();
      return this.apply(manager, current, patch, problems, context);
    });
    return changedAny ? this.reads.get(caller.id, 'all') : caller;
  }

  private async apply(
    manager: EntityManager,
    current: ActionListRow,
    patch: ActionPatch,
    problems: string[],
    context: ChangeContext,
  ): Promise<boolean> {
    const status = patch.status ?? current.status;
    const locale = patch.locale ?? (current.locale as ActionPatch['locale']) ?? 'en';
    this.checkTranslations(patch.translations ?? current.translations, locale, problems);
    const doneOn = this.doneOnFor(status, patch, current, problems);
    if (problems.length > 0) throw ActionErrors.invalid(problems);
    // Dropping an action takes it off employees' pages; publishing a dropped one is refused.
    if (patch.published === true && status === 'dropped')
      throw ActionErrors.droppedNotPublishable();
    const published = status === 'dropped' ? false : (patch.published ?? current.published);
    if (patch.ownerId && patch.ownerId !== current.ownerUserId)
      await this.checkOwner(current.teamId, patch.ownerId);

    const next = {
      heard: patch.heard ?? current.heard,
      planned: patch.planned ?? current.planned,
      locale,
      translations: patch.translations ?? current.translations,
      ownerId: patch.ownerId !== undefined ? patch.ownerId : current.ownerUserId,
      dueOn: patch.dueOn !== undefined ? patch.dueOn : current.dueOn,
      published,
      doneOn,
    };
    const before = {
      heard: current.heard,
      planned: current.planned,
      locale: current.locale,
      translations: current.translations,
      ownerId: current.ownerUserId,
      dueOn: current.dueOn,
      published: current.published,
      doneOn: current.doneOn,
    };
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter(
      (key) => JSON.stringify(next[key]) !== JSON.stringify(before[key]),
    );
    const statusChanged = status !== current.status;
    if (changed.length === 0 && !statusChanged) return false;

    // Only the columns that changed: a column this change did not touch keeps what is there.
    const column: Record<keyof typeof next, keyof TeamAction> = {
      heard: 'heard',
      planned: 'planned',
      locale: 'locale',
      translations: 'translations',
      ownerId: 'ownerUserId',
      dueOn: 'dueOn',
      published: 'published',
      doneOn: 'doneOn',
    };
    const values: Partial<Record<keyof TeamAction, unknown>> = Object.fromEntries(
      changed.map((key) => [column[key], next[key]]),
    );
    if (statusChanged) values.status = status;
    await this.actions.update(manager, current.id, values as Partial<TeamAction>);
    const target = `action ${current.id}`;
    const otherChanges = changed.filter((key) => !(statusChanged && key === 'doneOn'));
    if (otherChanges.length > 0)
      await this.audit.record(
        {
          action: 'action.updated',
          actor: context.actor,
          target,
          ip: context.ip,
          details: {
            team: current.teamSlug,
            fields: otherChanges,
            ...Object.fromEntries(
              AUDITED_VALUES.filter((key) => otherChanges.includes(key)).map((key) => [
                key,
                { from: before[key], to: next[key] },
              ]),
            ),
          },
        },
        manager,
      );
    if (statusChanged)
      await this.audit.record(
        {
          action: 'action.status_changed',
          actor: context.actor,
          target,
          ip: context.ip,
          details: {
            team: current.teamSlug,
            from: current.status,
            to: status,
            doneOn: next.doneOn,
            ...(current.published && !published ? { unpublished: true } : {}),
          },
        },
        manager,
      );
    return true;
  }

  /** The done date: only with `done` (today unless given, never in the future); else none. */
  private doneOnFor(
    status: string,
    patch: ActionPatch,
    current: ActionListRow | null,
    problems: string[],
  ): string | null {
    if (status !== 'done') {
      if (patch.doneOn) problems.push('doneOn is set only when status is done');
      return null;
    }
    const today = this.reads.today();
    const given = patch.doneOn ?? (current?.status === 'done' ? current.doneOn : null) ?? today;
    if (patch.doneOn && patch.doneOn > today)
      problems.push(`doneOn must not be in the future (today is ${today})`);
    return given;
  }

  private checkTranslations(
    translations: Record<string, unknown> | undefined,
    locale: string,
    problems: string[],
  ): void {
    if (translations && translations[locale] !== undefined)
      problems.push(
        `translations.${locale}: the action is written in ${locale}; a translation is into another language`,
      );
  }

  private async checkOwner(teamId: string, ownerId: string): Promise<void> {
    const owners = await this.reads.ownersFor(teamId);
    if (!owners.some((o) => o.id === ownerId)) throw ActionErrors.ownerNotAllowed();
  }
}
