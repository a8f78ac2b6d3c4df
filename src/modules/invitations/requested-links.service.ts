import { Injectable } from '@nestjs/common';
import { MailService } from '../mail/mail.service';
import { InvitationsRepository } from './invitations.repository';

/**
 * Fresh links a person may ask for per requested invitation (a review: per team and month), on
 * top of the first: mail sequences 1–3, one mail row each (unique per invitation and sequence).
 * Past the cap a request queues nothing, and says nothing either.
 */
export const REQUESTED_FRESH_LINKS = 3;

/**
 * Invitations a person asks for (a team's review survey of the month): one per person and
 * survey, and a few fresh links for it. Apart from InvitationsService only for size; mails of
 * the kind given are built by InvitationsService (registerInvitationMail, `requested`).
 */
@Injectable()
export class RequestedLinksService {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly mail: MailService,
  ) {}

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
}
