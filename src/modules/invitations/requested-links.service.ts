import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  type BuiltMail,
  type CancelledMail,
  type ClaimedMail,
  MailService,
} from '../mail/mail.service';
import { InvitationsRepository, type OpenLink } from './invitations.repository';
import { InvitationsService, standardContent } from './invitations.service';
import { hashToken, mailLinkToken } from './tokens';

/**
 * Fresh links a person may ask for per requested invitation (a review: per team and month), on
 * top of the first: mail sequences 1–3, one mail row each (unique per invitation and sequence).
 * Past the cap a request queues nothing, and says nothing either.
 */
export const REQUESTED_FRESH_LINKS = 3;

/** "Mail me my link again" from my surveys (one-off mails; see mailLinkAgain). */
export const LINK_AGAIN_KIND = 'invitation-again';

/**
 * Links a person asks for: invitations to a team's review survey of the month (one per person
 * and survey, and a few fresh links for it; their mails are built by InvitationsService,
 * registerInvitationMail, `requested`), and "mail me my link again" from my surveys (its mails
 * built here). Apart from InvitationsService for size.
 */
@Injectable()
export class RequestedLinksService implements OnModuleInit {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly links: InvitationsService,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.mail.registerKind(LINK_AGAIN_KIND, { build: (mails) => this.buildLinkAgain(mails) });
  }

  /**
   * Where a person stands with a survey they ask links of (a team's review survey of the
   * month): not invited yet, invited and not answered, or answered as the database already
   * shows it (released). An answer still waiting for its release (the claim key) counts as not
   * answered: what a request writes must not tell that the person answered before the release.
   */
  async requestedState(
    surveyId: string,
    employeeId: string,
  ): Promise<{ state: 'none' } | { state: 'open' | 'answered'; invitationId: string }> {
    const found = await this.invitations.findOfPerson(surveyId, employeeId);
    if (!found) return { state: 'none' };
    return { state: found.answered ? 'answered' : 'open', invitationId: found.id };
  }

  /**
   * A link the person asked for (a review): a new invitation and its mail of `kind` (sequence 0)
   * when they have none for this survey; else a fresh link for the same invitation in another
   * mail of `kind` (sequences 1–3: the mail's new token replaces the old one, whose link stops
   * working). Answers what was queued: 'invited', 'new-link', or 'nothing' (the first mail has
   * not gone yet, or the month's REQUESTED_FRESH_LINKS fresh links are used up: silently).
   */
  async requestLink(
    wanted: { surveyId: string; employeeId: string; expiresAt: Date },
    kind: string,
  ): Promise<'invited' | 'new-link' | 'nothing'> {
    return this.invitations.transaction(async (manager) => {
      const created = await this.invitations.insertRequested(manager, wanted);
      if (created) {
        await this.mail.queueInvitationMails({ invitationIds: [created] }, { kind, manager });
        return 'invited';
      }
      const existing = await this.invitations.findOfPerson(
        wanted.surveyId,
        wanted.employeeId,
        manager,
      );
      if (!existing?.sent) return 'nothing';
      for (let sequence = 1; sequence <= REQUESTED_FRESH_LINKS; sequence++) {
        const queued = await this.mail.queueInvitationMails(
          { invitationIds: [existing.id] },
          { kind, sequence, manager },
        );
        if (queued.queued > 0) return 'new-link';
      }
      return 'nothing';
    });
  }

  /** A person's links still open, soonest first ("my surveys"; see openOfPerson). */
  openLinksOf(employeeId: string): Promise<OpenLink[]> {
    return this.invitations.openOfPerson(employeeId);
  }

  /**
   * "Mail me my link again" (my surveys): a one-off mail to the person's address with a fresh
   * link for their open invitation — its token replaces the old one, whose link stops working.
   * Like links people ask for (reviews), it goes even while an answer waits for its release
   * (the link then opens on "already answered"): cancelling it would tell the mail table that
   * they answered. False when the invitation is not one of the person's open links.
   */
  async mailLinkAgain(
    employee: { id: string; email: string; locale: string },
    invitationId: string,
  ): Promise<boolean> {
    const open = await this.invitations.openOfPerson(employee.id);
    if (!open.some((link) => link.invitationId === invitationId)) return false;
    await this.mail.queueMail({
      kind: LINK_AGAIN_KIND,
      to: employee.email,
      locale: employee.locale,
      dedupeKey: `${LINK_AGAIN_KIND}:${randomUUID()}`,
      context: { invitationId },
    });
    return true;
  }

  /** Builds "your link again" mails at send time: a fresh token each, only its hash stored. */
  private async buildLinkAgain(
    mails: readonly ClaimedMail[],
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const wanted = mails.map((mail) => ({
      mail,
      invitationId: (mail.context as { invitationId?: unknown } | null)?.invitationId,
      token: mailLinkToken(this.config.appSecret, mail.id),
    }));
    const valid = wanted.filter(
      (w): w is typeof w & { invitationId: string } =>
        typeof w.invitationId === 'string' && /^[0-9a-f-]{36}$/.test(w.invitationId),
    );
    const issued = await this.invitations.issueLinks(
      valid.map((w) => ({
        invitationId: w.invitationId,
        tokenHash: hashToken(w.token),
        sequence: 1,
      })),
    );
    const byInvitation = new Map(issued.map((link) => [link.invitationId, link]));
    const built = new Map<string, BuiltMail | CancelledMail>();
    for (const { mail, invitationId, token } of wanted) {
      const link = typeof invitationId === 'string' ? byInvitation.get(invitationId) : undefined;
      if (!link || link.problem) {
        built.set(mail.id, { cancel: link?.problem ?? 'the invitation no longer exists' });
        continue;
      }
      built.set(
        mail.id,
        standardContent(
          { ...mail, sequence: 1 },
          {
            invitationId: link.invitationId,
            sequence: 1,
            url: this.links.link(token),
            name: link.name,
            surveyName: link.surveyName,
            surveyTitles: link.surveyTitles,
            teamName: link.teamName,
            reportingThreshold: link.reportingThreshold,
            expiresAt: new Date(link.expiresAt),
          },
        ),
      );
    }
    return built;
  }
}
