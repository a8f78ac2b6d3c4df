import { Injectable } from '@nestjs/common';
import { type Form, textField } from '../../common/http/form-fields';
import { hasControlCharacters } from '../../common/text';
import { hashToken, looksLikeToken } from '../invitations/tokens';
import { TicketErrors } from './tickets.errors';
import { TicketsRepository } from './tickets.repository';

/** The survey form's fields for "you may contact me about this". */
export const CONTACT_FIELD = 'contact';
export const CONTACT_MESSAGE_FIELD = 'contact_message';
export const CONTACT_FIELDS = [CONTACT_FIELD, CONTACT_MESSAGE_FIELD];
export const FOLLOW_UP_MAX_LENGTH = 1000;

export interface ContactForm {
  wanted: boolean;
  message: string | null;
  error?: { key: string; vars?: Record<string, string | number> };
}

/**
 * "You may contact me about this": a separate, explicitly non-anonymous record for the team's
 * lead, never tied to the anonymous answer (see TicketsRepository.insertFollowUp).
 */
@Injectable()
export class FollowUpsService {
  constructor(private readonly tickets: TicketsRepository) {}

  /** The contact part of a ticket survey form, checked. A message is kept only with the box. */
  readForm(form: Form): ContactForm {
    const wanted = textField(form, CONTACT_FIELD) === 'yes';
    const raw = textField(form, CONTACT_MESSAGE_FIELD).replace(/\r\n/g, '\n').trim();
    const message = wanted && raw !== '' ? raw : null;
    if (message !== null && [...message].length > FOLLOW_UP_MAX_LENGTH)
      return {
        wanted,
        message,
        error: { key: 'survey.errors.too_long', vars: { max: FOLLOW_UP_MAX_LENGTH } },
      };
    if (message !== null && hasControlCharacters(message.replace(/[\n\t]/g, ' ')))
      return { wanted, message, error: { key: 'survey.errors.invalid_characters' } };
    return { wanted, message };
  }

  /** Records the request of the person whose link this is, once their answer is stored. */
  async request(token: string, message: string | null): Promise<boolean> {
    if (!looksLikeToken(token)) return false;
    return this.tickets.insertFollowUp(hashToken(token), message);
  }

  /** The requests about these teams (all of them for HR), open ones first. */
  list(teamIds: Set<string> | 'all') {
    return this.tickets.listFollowUps(teamIds === 'all' ? 'all' : [...teamIds]);
  }

  async markDone(id: string, teamIds: Set<string> | 'all'): Promise<void> {
    if (!(await this.tickets.markFollowUpDone(id, teamIds === 'all' ? 'all' : [...teamIds])))
      throw TicketErrors.followUpNotFound();
  }
}
