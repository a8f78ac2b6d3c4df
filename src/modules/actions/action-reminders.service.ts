import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { MailService } from '../mail/mail.service';
import { todayIn } from './action-dates';
import { ActionsRepository } from './actions.repository';
import { ActionsService } from './actions.service';

export const ACTION_REMINDERS_QUEUE = 'actions.remind';
export const ACTION_REMINDER_KIND = 'action-reminder';

/**
 * Job `actions.remind`, daily: the owner of an open action gets a mail ACTION_REMINDER_DAYS days
 * before its due date (or on the first run inside that window) and one more once it is overdue.
 * Each mail is claimed on the action (reminded_for, overdue_reminded_for: the due date it was
 * for) in the transaction that queues it, with a dedupe key per action, kind and due date: a run
 * repeated, or two instances at once, send it once; a new due date starts over.
 *
 * The mail carries the action's internal text, so at send time the owner must still be allowed
 * to own it (active, HR or a lead of the team or one above it). An owner who no longer is gets
 * nothing, and nothing is claimed: the action shows "owner has no access" on the leads' and HR's
 * lists until someone gives it another owner (who is then reminded as usual).
 */
@Injectable()
export class ActionRemindersService implements OnModuleInit {
  private readonly logger = new Logger('ActionReminders');

  constructor(
    private readonly actions: ActionsRepository,
    private readonly reads: ActionsService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: ACTION_REMINDERS_QUEUE,
      cron: '15 6 * * *',
      handler: () => this.remind().then(() => undefined),
      retryLimit: 3,
    });
  }

  /** Queues the reminders due on `today` (the organisation's day). Returns how many it queued. */
  async remind(
    today = todayIn(this.config.organisationTimeZone),
  ): Promise<{ soon: number; overdue: number }> {
    const days = this.config.actionReminderDays;
    const queued = { soon: 0, overdue: 0 };
    let withheld = 0;
    const mayOwn = await this.reads.ownerCheck();
    for (const kind of ['soon', 'overdue'] as const) {
      if (kind === 'soon' && days === 0) continue;
      for (const row of await this.actions.remindersDue(kind, today, days)) {
        if (!mayOwn(row.ownerUserId, row.teamId)) {
          withheld++;
          continue;
        }
        const sent = await this.actions.transaction(async (manager) => {
          if (!(await this.actions.claimReminder(manager, row.id, kind, row.dueOn))) return false;
          // In the owner's language: their own choice, else the team profile's, else English.
          const locale = this.i18n.negotiate(row.ownerLocale);
          const link = `${this.config.baseUrl}/teams/${row.teamSlug}/actions/${row.id}/edit`;
          await this.mail.queueMail(
            {
              kind: ACTION_REMINDER_KIND,
              to: row.ownerEmail,
              locale,
              dedupeKey: `action-${kind}:${row.id}:${row.dueOn}`,
              template: 'action-reminder',
              subject: {
                key: kind === 'soon' ? 'action_mail.subject_soon' : 'action_mail.subject_overdue',
                params: {
                  team: row.teamName,
                  // English subjects keep the ISO day they always had (mail rules may match
                  // it); other languages read the day as Intl writes it.
                  date:
                    locale === this.i18n.fallback ? row.dueOn : this.i18n.date(locale, row.dueOn),
                },
              },
              context: {
                overdue: kind === 'overdue',
                name: row.ownerName,
                teamName: row.teamName,
                planned: row.planned,
                dueOn: row.dueOn,
                status: row.status,
                statusKey: `action_mail.status.${row.status === 'in_progress' ? 'in_progress' : 'planned'}`,
                link,
              },
            },
            { manager },
          );
          return true;
        });
        if (sent) queued[kind]++;
      }
    }
    this.logger.log(
      `action reminders: ${queued.soon} due soon, ${queued.overdue} overdue` +
        (withheld > 0 ? `, ${withheld} withheld (owner has no access to the team)` : ''),
    );
    return queued;
  }
}
