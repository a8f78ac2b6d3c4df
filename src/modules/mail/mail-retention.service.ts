import { Injectable } from '@nestjs/common';
import { MailRetentionRepository } from './mail-retention.repository';

/** What `retention.purge` deletes of the mail feature's tables, one batch per call. */
@Injectable()
export class MailRetentionService {
  constructor(private readonly repository: MailRetentionRepository) {}

  /** Done mails unchanged for `days` days (those of open invitations stay). */
  purgeMail(days: number, limit: number): Promise<number> {
    return this.repository.purgeMailBatch(days, limit);
  }

  /** The demo outbox's mails older than `days` days. */
  purgeOutbox(days: number, limit: number): Promise<number> {
    return this.repository.purgeOutboxBatch(days, limit);
  }
}
