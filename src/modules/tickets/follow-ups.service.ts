import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { openJson, sealJson } from '../../common/crypto/sealing';
import { type Form, textField } from '../../common/http/form-fields';
import { hasControlCharacters } from '../../common/text';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { TicketErrors } from './tickets.errors';
import { FollowUpsRepository } from './follow-ups.repository';

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
 * lead, never holding the anonymous answer. The submit keeps the request sealed, written in the
 * transaction that stores the (sealed) answer: one transaction id for both, which says nothing
 * the request does not (this person answered, then), where a transaction of its own right after
 * the answer's would point at that answer by adjacency — or, under concurrency, at someone else's.
 * The hourly `follow-ups.release` job writes the requests that waited, in a transaction of its
 * own, dated by the day it runs (see FollowUpsRepository.releaseFollowUps), then vacuums them away.
 */
@Injectable()
export class FollowUpsService implements OnModuleInit {
  private readonly logger = new Logger('FollowUps');

  constructor(
    private readonly followUps: FollowUpsRepository,
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
   * Keeps the request of the person whose invitation this is, sealed, in `manager`'s transaction:
   * the one that claims the invitation and stores the answer (ResponsesService.submit).
   */
  async request(manager: EntityManager, invitationId: string, message: string | null) {
    await this.followUps.insertPendingFollowUp(
      sealJson(this.config.appSecret, FOLLOW_UP_PURPOSE, { invitationId, message }, 1024),
      manager,
    );
  }

  /**
   * Job `follow-ups.release`, hourly: the requests that waited become follow-ups. Its log line
   * says that it ran, never how many it passed on: an hour usually holds one request, and a
   * count of one beside the follow-up list would date that person's answer to the minute.
   */
  async release(): Promise<number> {
    const written = await this.followUps.releaseFollowUps((sealed) =>
      openJson<{ invitationId: string; message: string | null }>(
        this.config.appSecret,
        FOLLOW_UP_PURPOSE,
        sealed,
      ),
    );
    this.logger.log('follow-up batch ran');
    return written;
  }

  /** The requests about these teams (all of them for HR), open ones first. */
  list(teamIds: Set<string> | 'all') {
    return this.followUps.listFollowUps(teamIds === 'all' ? 'all' : [...teamIds]);
  }

  async markDone(id: string, teamIds: Set<string> | 'all'): Promise<void> {
    if (!(await this.followUps.markFollowUpDone(id, teamIds === 'all' ? 'all' : [...teamIds])))
      throw TicketErrors.followUpNotFound();
  }

  /** How many follow-ups wait (not marked done), per team id. */
  openCounts(): Promise<Map<string, number>> {
    return this.followUps.openCountsByTeam();
  }
}
