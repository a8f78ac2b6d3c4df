import { ReadDatabase } from '../../database/read-database';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { AccountsService } from '../accounts/accounts.service';
import { ActionsService } from '../actions/actions.service';
import { MailService } from '../mail/mail.service';
import { type DigestFigures, DigestReportService } from '../reports/digest-report.service';
import { addBuckets, bucketStart, type Grain } from '../reports/periods';
import { subtreeIds } from '../reports/report-tree.service';
import { TeamsService } from '../teams/teams.service';
import { FollowUpsService } from '../tickets/follow-ups.service';
import { type DigestContext, digestContext, type TeamWork } from './digest-content';
import { DigestMails } from './digest-mails';
import { digestDue, isTimeZone, localTime } from './digest-schedule';
import { readUnsubscribeToken } from './digest-tokens';
import { DigestErrors, type DigestProblem } from './digest.errors';
import { DigestRepository, type DigestSettingValues } from './digest.repository';

export const DIGEST_QUEUE = 'digest.weekly';
export const DIGEST_KIND = 'digest';
export const DIGEST_ALERT_KIND = 'digest-alert';
/** Actions due within this many days are listed as "due soon". */
export const DUE_SOON_DAYS = 7;
const GRAINS: Grain[] = ['week', 'month', 'quarter'];
/** Digests claimed and queued per transaction (one commit for many, not one each). */
const CLAIMS_PER_TRANSACTION = 50;

export const DEFAULT_DIGEST_SETTING: DigestSettingValues = {
  enabled: true,
  weekday: 1,
  hour: 8,
  grain: 'month',
  locale: 'en',
  timeZone: null,
};

interface Recipient {
  id: string;
  name: string;
  email: string;
  locale: string;
  zone: string;
  /** 'all' for HR; else the teams given to the lead, with every team below them. */
  teams: Set<string> | 'all';
}

/**
 * The weekly digest and the alerts (job `digest.weekly`, hourly). Each lead (about their teams)
 * and each HR admin (all teams) gets, on the organisation's weekday from its hour on their own
 * clock, in their own language, the results of the last closed period — the figures of
 * DigestReportService, which are the team pages' — with the changes worded by significance.ts,
 * the count of the period's comments, the follow-ups waiting and the actions due. Each digest is
 * claimed per person and week (digest_sent) in the transaction that queues its mail, and each
 * alert per team and period (digest_alert): ticks repeated or run at once send one of each.
 */
@Injectable()
export class DigestService implements OnModuleInit {
  private readonly logger = new Logger('Digest');

  constructor(
    private readonly digests: DigestRepository,
    private readonly figures: DigestReportService,
    private readonly accounts: AccountsService,
    private readonly teams: TeamsService,
    private readonly followUps: FollowUpsService,
    private readonly actions: ActionsService,
    private readonly mail: MailService,
    private readonly mails: DigestMails,
    private readonly jobs: JobsService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly read: ReadDatabase,
  ) {}

  async onModuleInit(): Promise<void> {
    this.mail.registerKind(DIGEST_KIND, this.mails);
    this.mail.registerKind(DIGEST_ALERT_KIND, this.mails);
    await this.jobs.register({
      name: DIGEST_QUEUE,
      cron: '5 * * * *',
      handler: () => this.tick().then(() => undefined),
      retryLimit: 3,
    });
  }

  async settings(): Promise<DigestSettingValues> {
    return (await this.digests.setting()) ?? DEFAULT_DIGEST_SETTING;
  }

  /** Checks and saves the settings form; every problem named at once, nothing saved on one. */
  async saveSettings(input: Record<string, string>): Promise<DigestSettingValues> {
    const problems: DigestProblem[] = [];
    const int = (field: string, min: number, max: number): number => {
      const raw = (input[field] ?? '').trim();
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || value < min || value > max)
        problems.push({
          field,
          kind: 'whole_number',
          vars: { min, max },
          text: `${field} must be a whole number from ${min} to ${max}`,
        });
      return value;
    };
    const weekday = int('weekday', 1, 7);
    const hour = int('hour', 0, 23);
    const grain = (input.grain ?? '').trim();
    if (!GRAINS.includes(grain as Grain))
      problems.push({
        field: 'grain',
        kind: 'one_of',
        vars: { options: GRAINS.join(', ') },
        text: `grain must be one of ${GRAINS.join(', ')}`,
      });
    const locale = (input.locale ?? '').trim();
    const locales = this.i18n.locales.map((l) => l.code).join(', ');
    if (!this.i18n.has(locale) || locale.startsWith('_'))
      problems.push({
        field: 'locale',
        kind: 'one_of',
        vars: { options: locales },
        text: `locale must be one of ${locales}`,
      });
    const zone = (input.timeZone ?? '').trim();
    if (zone !== '' && (zone.length > 64 || !isTimeZone(zone)))
      problems.push({
        field: 'timeZone',
        kind: 'time_zone',
        vars: {},
        text: 'timeZone must be an IANA time zone such as Europe/Madrid, or empty',
      });
    if (problems.length > 0) throw DigestErrors.invalid(problems);
    const values: DigestSettingValues = {
      enabled: input.enabled === 'on' || input.enabled === 'true',
      weekday,
      hour,
      grain,
      locale,
      timeZone: zone === '' ? null : zone,
    };
    await this.digests.saveSetting(values);
    return values;
  }

  /** The account an unsubscribe token names, if it is ours and the account exists. */
  async personOfToken(token: string): Promise<{ id: string; locale: string | null } | undefined> {
    const userId = readUnsubscribeToken(this.config.appSecret, token);
    if (!userId) return undefined;
    const user = await this.accounts.findUser(userId);
    return user ? { id: user.id, locale: user.locale } : undefined;
  }

  /** Switches a person's digest and alerts off (or on again) by their token. */
  async setSubscribed(token: string, subscribed: boolean): Promise<void> {
    const person = await this.personOfToken(token);
    if (!person) throw DigestErrors.badLink();
    await this.digests.setOptOut(person.id, !subscribed);
  }

  async isSubscribed(userId: string): Promise<boolean> {
    return !(await this.digests.isOptedOut(userId));
  }

  /**
   * Job `digest.weekly`: queues the digests due at `now` (see digestDue) and the alerts of the
   * period that closed last in the organisation's zone. Returns how many mails it queued.
   */
  async tick(now = new Date()): Promise<{ digests: number; alerts: number }> {
    // One server (replica or primary) for the whole run: every mail's figures from one snapshot.
    return this.read.pinned(() => this.tickOnce(now));
  }

  private async tickOnce(now: Date): Promise<{ digests: number; alerts: number }> {
    const setting = await this.settings();
    if (!setting.enabled) return { digests: 0, alerts: 0 };
    const grain = setting.grain as Grain;
    const orgZone = setting.timeZone ?? this.config.organisationTimeZone;
    const recipients = await this.recipients(setting, orgZone);
    const periods = new Map<string, Promise<DigestFigures>>();
    const figuresOf = (start: string) => {
      let figures = periods.get(start);
      if (!figures) periods.set(start, (figures = this.figures.figures(grain, start)));
      return figures;
    };
    // Report periods are calendar buckets in UTC: for someone east of UTC whose week has begun
    // while UTC's has not, the last closed period is the one closed in both.
    const utcToday = now.toISOString().slice(0, 10);
    const lastClosed = (today: string) => {
      const own = addBuckets(bucketStart(today, grain), grain, -1);
      const utc = addBuckets(bucketStart(utcToday, grain), grain, -1);
      return own < utc ? own : utc;
    };

    let digests = 0;
    // In a stable order, so that two ticks at once take the claims in the same order.
    const due = recipients
      .map((person) => ({ person, ...digestDue(now, person.zone, setting) }))
      .filter((d) => d.due)
      .sort((a, b) => (a.person.id < b.person.id ? -1 : 1));
    if (due.length > 0) {
      const followUps = await this.followUps.openCounts();
      const actionsByDay = new Map<string, ReturnType<ActionsService['dueCounts']>>();
      for (let i = 0; i < due.length; i += CLAIMS_PER_TRANSACTION) {
        const chunk = due.slice(i, i + CLAIMS_PER_TRANSACTION);
        const mails: { person: Recipient; weekStart: string; context: DigestContext }[] = [];
        for (const { person, weekStart, today } of chunk) {
          if (!actionsByDay.has(today))
            actionsByDay.set(today, this.actions.dueCounts(today, DUE_SOON_DAYS));
          const work: TeamWork = { followUps, actions: await actionsByDay.get(today)! };
          const figures = await figuresOf(lastClosed(today));
          mails.push({
            person,
            weekStart,
            context: digestContext(person, figures, person.teams, work, this.config.baseUrl),
          });
        }
        digests += await this.digests.transaction(async (manager) => {
          let queued = 0;
          for (const { person, weekStart, context } of mails) {
            if (!(await this.digests.claimDigest(manager, person.id, weekStart))) continue;
            await this.mail.queueMail(
              {
                kind: DIGEST_KIND,
                to: person.email,
                locale: person.locale,
                dedupeKey: `digest:${person.id}:${weekStart}`,
                context: { ...context },
              },
              { manager },
            );
            queued++;
          }
          return queued;
        });
      }
    }
    // Alerts need no response rates: figures without them, unless a digest already read them.
    const alertPeriod = lastClosed(localTime(now, orgZone).date);
    const alerts = await this.alerts(
      grain,
      await (periods.get(alertPeriod) ??
        this.figures.figures(grain, alertPeriod, { responseRates: false })),
      recipients,
    );
    this.logger.log(`digest tick: ${digests} digest(s), ${alerts} alert mail(s) queued`);
    return { digests, alerts };
  }

  /** A mail about each team whose iNPS fell significantly, once per team and period. */
  private async alerts(
    grain: Grain,
    figures: DigestFigures,
    recipients: Recipient[],
  ): Promise<number> {
    const sent = await this.digests.alertsSent(grain, figures.start);
    let queued = 0;
    for (const team of figures.teams) {
      const change = team.change;
      if (!change?.significant || change.direction !== 'down' || sent.has(team.id)) continue;
      if (team.nps.withheld) continue;
      const nps = team.nps;
      const readers = recipients.filter((r) => r.teams === 'all' || r.teams.has(team.id));
      queued += await this.digests.transaction(async (manager) => {
        const claimed = await this.digests.claimAlert(manager, {
          teamId: team.id,
          grain,
          periodStart: figures.start,
          delta: change.delta,
        });
        if (!claimed) return 0;
        for (const reader of readers)
          await this.mail.queueMail(
            {
              kind: DIGEST_ALERT_KIND,
              to: reader.email,
              locale: reader.locale,
              dedupeKey: `digest-alert:${team.id}:${grain}:${figures.start}:${reader.id}`,
              context: {
                userId: reader.id,
                name: reader.name,
                teamName: team.name,
                grain,
                periodStart: figures.start,
                nps: nps.nps,
                low: nps.low,
                high: nps.high,
                n: nps.n,
                delta: Math.abs(change.delta),
                deltaLow: Math.abs(change.high),
                deltaHigh: Math.abs(change.low),
                smallSample: change.smallSample,
                link: `${this.config.baseUrl}/teams/${team.slug}?period=${grain}&at=${figures.start}`,
              },
            },
            { manager },
          );
        return readers.length;
      });
    }
    return queued;
  }

  /** Leads with teams and HR admins, active and subscribed, with their zone and language. */
  private async recipients(setting: DigestSettingValues, orgZone: string): Promise<Recipient[]> {
    const [users, optedOut, all] = await Promise.all([
      this.accounts.listUsers(),
      this.digests.optedOut(),
      this.teams.list(),
    ]);
    return users
      .filter((u) => !u.disabled && !optedOut.has(u.id))
      .filter((u) => u.role === 'admin' || (u.role === 'lead' && u.teamIds.length > 0))
      .map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        locale: this.i18n.match(u.locale) ?? setting.locale,
        zone: u.timeZone && isTimeZone(u.timeZone) ? u.timeZone : orgZone,
        teams:
          u.role === 'admin'
            ? ('all' as const)
            : new Set(u.teamIds.flatMap((id) => subtreeIds(all, id))),
      }));
  }
}
