import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { youSaidItems, type YouSaidItem } from '../../common/i18n/you-said';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ActionsService } from '../actions/actions.service';
import { FatigueService } from '../fatigue/fatigue.service';
import {
  type BuiltMail,
  type CancelledMail,
  type ClaimedMail,
  INVITATION_KIND,
  MailService,
  REMINDER_KIND,
} from '../mail/mail.service';
import {
  type IssuedLink,
  InvitationsRepository,
  type OpenLink,
  type PastInvitation,
  SurveyLink,
} from './invitations.repository';
import { InvitationErrors } from './invitations.errors';
import { TicketInvitationsRepository } from './ticket-invitations.repository';
import { hashToken, looksLikeToken, mailLinkToken, newToken } from './tokens';

/** What an invitation's mail may say, with its fresh link (made when the mail is built). */
/** What a survey link leads to; other features take it from here, not from the repository. */
export type { SurveyLink };
/** An invitation of a past survey (see recordPastInvitations). */
export type { PastInvitation };
/** A link still open for its person (my surveys). */
export type { OpenLink };

export interface InvitationLink {
  invitationId: string;
  /** 0 the invitation, 1–3 reminders. */
  sequence: number;
  /** The personal link: `${url}` opens the survey, `${url}?score=9` pre-selects a score. */
  url: string;
  name: string;
  surveyName: string;
  /** A campaign wave's title per language (what respondents see); null for other surveys. */
  surveyTitles: Record<string, string> | null;
  teamName: string;
  reportingThreshold: number;
  expiresAt: Date;
}

/** Makes the content of an invitation mail of some kind from its link. */
export type InvitationMailContent = (mail: ClaimedMail, link: InvitationLink) => BuiltMail;

/** Which of these invitations have an answer waiting for its release (see ResponsesService). */
export type ClaimsLookup = (invitationIds: string[]) => Promise<Set<string>>;

@Injectable()
export class InvitationsService implements OnModuleInit {
  private claims: ClaimsLookup = async () => new Set();

  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly ticketInvitations: TicketInvitationsRepository,
    private readonly mail: MailService,
    private readonly fatigue: FatigueService,
    private readonly actions: ActionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  onModuleInit(): void {
    this.registerInvitationMail(INVITATION_KIND, standardContent);
    this.registerInvitationMail(REMINDER_KIND, standardContent);
  }

  /**
   * The answer path tells which invitations have an answer waiting: a submit does not mark its
   * invitation (the release does), so a reminder checks the claim keys before it goes.
   */
  useClaims(lookup: ClaimsLookup): void {
    this.claims = lookup;
  }

  /**
   * Lets a feature give the mails of its invitations their own content (e.g. ticket surveys:
   * the team, one button per score; campaign waves: the campaign's wording), while the link
   * stays this feature's business: at send time each mail gets a fresh token (only its hash
   * stored), and mails whose invitation was answered, cancelled or expired meanwhile, or whose
   * person is inactive, are cancelled. Queue them with
   * `MailService.queueInvitationMails(scope, { kind, sequence, manager })`. `sent`, if given,
   * runs in the transaction that marks the mail sent. `requested`: links the person asked for
   * (reviews) go even while their answer waits for its release — cancelling the mail would tell
   * the mail table that they answered; the link then opens on "already answered".
   */
  registerInvitationMail(
    kind: string,
    content: InvitationMailContent,
    sent?: (mail: ClaimedMail, manager: EntityManager) => Promise<void>,
    options: { requested?: boolean } = {},
  ): void {
    this.mail.registerKind(kind, {
      build: (mails) => this.buildMails(mails, content, options.requested === true),
      sent: async (mail, manager) => {
        if (mail.sequence === 0 && mail.invitationId)
          await this.invitations.markSent(manager, mail.invitationId);
        await sent?.(mail, manager);
      },
    });
  }

  /**
   * Creates the invitations in one insert, under the fatigue budget, and queues their mail —
   * all in one transaction: either everything is written, or nothing.
   */
  async inviteToSurvey(
    survey: { id: string; closesAt: Date },
    who: { employeeIds: string[]; emails: string[] },
    minimum: number,
  ) {
    return this.invitations.transaction(async (manager) => {
      const budgetDays = await this.fatigue.lockBudget(manager);
      const result = await this.invitations.insertForSurvey(manager, survey, who, budgetDays);
      // Rolls the whole send back: a survey that could never reach a release is not sent.
      const total = await this.invitations.countForSurvey(manager, survey.id);
      if (total < minimum) throw InvitationErrors.audienceTooSmall(total, minimum);
      await this.fatigue.recordSkipped(manager, 'survey', survey.id, result.skippedByBudget);
      if (result.created > 0)
        await this.mail.queueInvitationMails({ surveyId: survey.id }, { manager });
      return {
        invited: result.created,
        alreadyInvited: result.matched - result.created - result.skippedByBudget,
        skippedByBudget: result.skippedByBudget,
        unknownEmails: result.unknownEmails,
        unknownEmployeeIds: result.unknownEmployeeIds,
      };
    });
  }

  /**
   * A campaign wave's invitations, in the caller's transaction (the wave's): one INSERT … SELECT
   * over the audience under the fatigue budget (what it kept out is recorded against the
   * survey), then their mails queued set-based, each due at its invitation's send_after.
   */
  async openWave(
    input: Parameters<InvitationsRepository['insertForWave']>[0],
    kind: string,
    manager: EntityManager,
  ): Promise<{ invited: number; skippedByBudget: number }> {
    const budgetDays = await this.fatigue.lockBudget(manager);
    const result = await this.invitations.insertForWave(input, budgetDays, manager);
    await this.fatigue.recordSkipped(manager, 'survey', input.surveyId, result.skippedByBudget);
    if (result.created > 0)
      await this.mail.queueInvitationMails({ surveyId: input.surveyId }, { kind, manager });
    return { invited: result.created, skippedByBudget: result.skippedByBudget };
  }

  /** Reminder `sequence` (1–3) of a survey to those who have not answered, in the caller's transaction. */
  async queueReminders(
    surveyId: string,
    sequence: number,
    kind: string,
    manager: EntityManager,
  ): Promise<number> {
    const queued = await this.mail.queueInvitationMails({ surveyId }, { sequence, kind, manager });
    return queued.queued;
  }

  /** What the fatigue budget kept out of a survey (a wave). */
  /**
   * Invitations of past surveys (the demo's history, see SurveysService.recordPastSurveys), in
   * one insert: no token, no mail. Their answers are released apart (ResponsesService), never
   * linked to them.
   */
  recordPastInvitations(invitations: PastInvitation[]): Promise<void> {
    return this.invitations.insertPastInvitations(invitations);
  }

  skippedByBudget(surveyId: string): Promise<number> {
    return this.fatigue.skippedFor('survey', surveyId);
  }

  /**
   * Builds invitation and reminder mails at send time: the link token of each mail (only its
   * hash is stored, replacing the previous mail's), in one statement for the whole batch.
   */
  private async buildMails(
    mails: readonly ClaimedMail[],
    content: InvitationMailContent,
    requested: boolean,
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const claimed = requested
      ? new Set<string>()
      : await this.claims(mails.flatMap((m) => (m.invitationId !== null ? [m.invitationId] : [])));
    const withInvitation = mails.filter(
      (m) => m.invitationId !== null && !claimed.has(m.invitationId),
    );
    // The same mail, the same link, whatever the attempt (see mailLinkToken).
    const tokens = new Map(
      withInvitation.map((m) => [m.id, mailLinkToken(this.config.appSecret, m.id)]),
    );
    const issued = await this.invitations.issueLinks(
      withInvitation.map((m) => ({
        invitationId: m.invitationId as string,
        tokenHash: hashToken(tokens.get(m.id) as string),
        sequence: m.sequence,
      })),
    );
    const byInvitation = new Map(issued.map((link) => [link.invitationId, link]));
    const youSaid = await this.youSaidOf(withInvitation, byInvitation);
    const built = new Map<string, BuiltMail | CancelledMail>();
    // Answered, the answer waiting for its release: no reminder, and the link stays as it was.
    for (const mail of mails)
      if (mail.invitationId !== null && claimed.has(mail.invitationId))
        built.set(mail.id, { cancel: 'answered' });
    for (const mail of withInvitation) {
      const link = byInvitation.get(mail.invitationId as string);
      if (!link) {
        built.set(mail.id, { cancel: 'the invitation no longer exists' });
        continue;
      }
      if (link.problem) {
        built.set(mail.id, { cancel: link.problem });
        continue;
      }
      const made = content(mail, {
        invitationId: link.invitationId,
        sequence: mail.sequence,
        url: this.link(tokens.get(mail.id) as string),
        name: link.name,
        surveyName: link.surveyName,
        surveyTitles: link.surveyTitles,
        teamName: link.teamName,
        reportingThreshold: link.reportingThreshold,
        expiresAt: new Date(link.expiresAt),
      });
      const block = youSaid.get(mail.id);
      built.set(mail.id, block ? { ...made, context: { ...made.context, youSaid: block } } : made);
    }
    return built;
  }

  /**
   * "Last time you told us …; this is what changed": for each mail, up to 2 published actions
   * of the teams its survey rates, done in the last 180 days, in the addressee's language. One
   * query per language in the batch (not one per mail), whatever the size of a wave. A failure
   * costs the block, never the mail.
   */
  private async youSaidOf(
    mails: readonly ClaimedMail[],
    links: ReadonlyMap<string, IssuedLink>,
  ): Promise<Map<string, { items: YouSaidItem[]; team?: string }>> {
    const blocks = new Map<string, { items: YouSaidItem[]; team?: string }>();
    const byLocale = new Map<string, { mail: ClaimedMail; link: IssuedLink }[]>();
    for (const mail of mails) {
      const link = links.get(mail.invitationId as string);
      if (!link || link.problem || !link.ratedTeamIds?.length) continue;
      const locale = this.i18n.negotiate(mail.locale);
      byLocale.set(locale, [...(byLocale.get(locale) ?? []), { mail, link }]);
    }
    const since = new Date(Date.now() - YOU_SAID_MAIL_DAYS * 86_400_000).toISOString().slice(0, 10);
    for (const [locale, entries] of byLocale) {
      const teamIds = [...new Set(entries.flatMap((e) => e.link.ratedTeamIds.slice(0, 10)))];
      let actions: Awaited<ReturnType<ActionsService['publishedFor']>>;
      try {
        actions = await this.actions.publishedFor(teamIds, locale, YOU_SAID_MAIL_MAX);
      } catch {
        continue;
      }
      const recent = actions.filter(
        (a) => a.status === 'done' && a.doneOn !== null && a.doneOn >= since,
      );
      for (const { mail, link } of entries) {
        const rated = new Set(link.ratedTeamIds.slice(0, 10));
        const items = youSaidItems(
          recent.filter((a) => rated.has(a.teamId)),
          locale,
          this.i18n,
          { max: YOU_SAID_MAIL_MAX },
        );
        if (items.length > 0)
          blocks.set(mail.id, { items, team: rated.size === 1 ? link.teamName : undefined });
      }
    }
    return blocks;
  }

  /**
   * Invites a batch of people to surveys after tickets under the fatigue budget, and queues their
   * mails of `kind`, in the caller's transaction (the batch of decided tickets). Returns how many
   * were invited.
   */
  async createTicketInvitations(
    manager: EntityManager,
    wanted: Parameters<TicketInvitationsRepository['insertTicketInvitations']>[1],
    kind: string,
  ): Promise<number> {
    const budgetDays = await this.fatigue.lockBudget(manager);
    const result = await this.ticketInvitations.insertTicketInvitations(
      manager,
      wanted,
      budgetDays,
    );
    for (const skipped of result.skippedByBudget)
      await this.fatigue.recordSkipped(manager, 'survey', skipped.surveyId, 1);
    if (result.ids.length > 0)
      await this.mail.queueInvitationMails({ invitationIds: result.ids }, { kind, manager });
    return result.ids.length;
  }

  /**
   * Whether this person may be surveyed about this team after a ticket now: not already
   * invited to its survey of the month, not invited about the team within `throttleDays`, and
   * within the organisation's fatigue budget (what it keeps out is counted against the survey).
   * The batch that invites checks again.
   */
  async ticketSurveyAllowed(input: {
    surveyId: string;
    teamId: string;
    employeeId: string;
    throttleDays: number;
  }): Promise<'yes' | 'already-invited' | 'throttled' | 'fatigue-budget'> {
    const budgetDays = await this.fatigue.days();
    const verdict = await this.ticketInvitations.ticketSurveyAllowed({ ...input, budgetDays });
    if (verdict === 'fatigue-budget')
      await this.fatigue.recordSkipped(undefined, 'survey', input.surveyId, 1);
    return verdict;
  }

  /** ticketSurveyAllowed for a batch of decisions (one statement); skips recorded per survey. */
  async ticketSurveysAllowed(
    inputs: { surveyId: string; teamId: string; employeeId: string; throttleDays: number }[],
  ): Promise<('yes' | 'already-invited' | 'throttled' | 'fatigue-budget')[]> {
    if (inputs.length === 0) return [];
    const verdicts = await this.ticketInvitations.ticketSurveysAllowed(
      inputs,
      await this.fatigue.days(),
    );
    const skipped = new Map<string, number>();
    verdicts.forEach((verdict, i) => {
      if (verdict === 'fatigue-budget')
        skipped.set(inputs[i].surveyId, (skipped.get(inputs[i].surveyId) ?? 0) + 1);
    });
    for (const [surveyId, n] of skipped)
      await this.fatigue.recordSkipped(undefined, 'survey', surveyId, n);
    return verdicts;
  }

  /**
   * Withdraws the open links of these employees (they were deactivated): unanswered
   * invitations stop working (410) and their queued mails are cancelled, in the caller's
   * transaction. Returns how many invitations were cancelled.
   */
  async cancelOpenLinksOf(manager: EntityManager, employeeIds: string[]): Promise<number> {
    const cancelled = await this.invitations.cancelOpenOf(manager, employeeIds);
    await this.mail.cancelInvitationMails(cancelled, 'the person was deactivated', manager);
    return cancelled.length;
  }

  /**
   * Fresh single-use links for a few unanswered invitations of `surveyId`, one per wanted locale
   * where it can (the demo banner's): their old tokens stop working, and they count as sent so
   * that the mail job leaves them alone.
   */
  async reissueLinks(
    surveyId: string,
    locales: string[],
    count: number,
  ): Promise<{ locale: string; url: string }[]> {
    const tokens = Array.from({ length: count }, () => newToken());
    const issued = await this.invitations.reissueTokens(surveyId, locales, tokens.map(hashToken));
    return issued.map((row, i) => ({ locale: row.locale, url: this.link(tokens[i]) }));
  }

  link(token: string): string {
    return `${this.config.baseUrl}/s/${token}`;
  }

  /** The survey behind a link, or undefined for any token we do not know. */
  async findLink(token: string): Promise<SurveyLink | undefined> {
    if (!looksLikeToken(token)) return undefined;
    return this.invitations.findByTokenHash(hashToken(token));
  }
}

/** The foundation's invitation (sequence 0) and reminder (1–3) mails. */
/** The invitation's "you said, we did": at most this many actions, done within these days. */
const YOU_SAID_MAIL_MAX = 2;
const YOU_SAID_MAIL_DAYS = 180;

export function standardContent(mail: ClaimedMail, link: InvitationLink): BuiltMail {
  const template = mail.sequence === 0 ? 'invitation' : 'reminder';
  return {
    template,
    subject: { key: `email.${template}.subject`, params: { team: link.teamName } },
    context: {
      name: link.name,
      teamName: link.teamName,
      surveyName: link.surveyName,
      k: link.reportingThreshold,
      link: link.url,
      expires: link.expiresAt,
    },
  };
}
