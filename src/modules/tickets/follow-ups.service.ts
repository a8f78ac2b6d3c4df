import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { openJson, sealJson } from '../../common/crypto/sealing';
import { type Form, textField } from '../../common/http/form-fields';
import { hasControlCharacters } from '../../common/text';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { TicketErrors } from './tickets.errors';
import { TicketsRepository } from './tickets.repository';

export const FOLLOW_UPS_QUEUE = 'follow-ups.release';
const FOLLOW_UP_PURPOSE = 'follow-up-request';

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
 * lead, never tied to the anonymous answer. The submit keeps the request sealed, in a statement
 * apart from the answer; the hourly `follow-ups.release` job writes the requests that waited, in
 * a transaction of its own, dated by the day it runs (see TicketsRepository.releaseFollowUps).
 */
@Injectable()
export class FollowUpsService implements OnModuleInit {
  private readonly logger = new Logger('FollowUps');

  constructor(
    private readonly tickets: TicketsRepository,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: FOLLOW_UPS_QUEUE,
      cron: '23 * * * *',
      handler: () => this.release().then(() => undefined),
      retryLimit: 3,
    });
  }

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

  /**
   * Keeps the request of the person whose invitation this is, sealed, once their answer is
   * stored (the caller has claimed the invitation).
   */
  async request(invitationId: string, message: string | null): Promise<void> {
    await this.tickets.insertPendingFollowUp(
      sealJson(this.config.appSecret, FOLLOW_UP_PURPOSE, { invitationId, message }, 1024),
    );
  }

  /** Job `follow-ups.release`, hourly: the requests that waited become follow-ups. */
  async release(): Promise<number> {
    const written = await this.tickets.releaseFollowUps((sealed) =>
      openJson<{ invitationId: string; message: string | null }>(
        this.config.appSecret,
        FOLLOW_UP_PURPOSE,
        sealed,
      ),
    );
    if (written > 0) this.logger.log(`${written} follow-up request(s) passed on`);
    return written;
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
