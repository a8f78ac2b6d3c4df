import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import type { AudienceFilter } from '../directory/audience';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import { SurveysService } from '../surveys/surveys.service';
import { firstSendInstant, occurrences } from './cadence';
import { CampaignAudienceService } from './campaign-audience.service';
import { rotatedQuestions } from './campaign-input';
import { WAVE_MAIL_KIND } from './campaign-mail';
import { respondentTitles } from './campaign-titles';
import { cadenceOf, CampaignsService } from './campaigns.service';
import { CampaignsRepository, type PastWave } from './campaigns.repository';
import type { Campaign } from './entities/campaign.entity';

export type { PastWave };

export const SCHEDULE_QUEUE = 'campaigns.schedule';
export const OPEN_QUEUE = 'wave.open';
export const REMIND_QUEUE = 'wave.remind';
export const CLOSE_QUEUE = 'wave.close';
const DAY = 86_400_000;

/**
 * Waves: the scheduler (`campaigns.schedule`, every minute on pg-boss cron and at start) creates
 * the wave of each due occurrence — unique per (campaign, opening time) — and hands due work to
 * jobs: `wave.open` (survey, every invitation in one INSERT … SELECT and their mail, in one
 * transaction), `wave.remind` and `wave.close`. Each job locks its wave row and checks its
 * status first, so running it twice, or on two instances at once, does nothing more.
 */
@Injectable()
export class WavesService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Waves');

  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly campaignsService: CampaignsService,
    private readonly audiences: CampaignAudienceService,
    private readonly surveys: SurveysService,
    private readonly invitations: InvitationsService,
    private readonly directory: DirectoryService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: SCHEDULE_QUEUE,
      handler: () => this.tick().then(() => undefined),
      cron: '* * * * *',
      retryLimit: 1,
    });
    await this.jobs.register<{ waveId: string }>({
      name: OPEN_QUEUE,
      handler: (data) => this.open(data.waveId).then(() => undefined),
      retryLimit: 10,
    });
    await this.jobs.register<{ waveId: string }>({
      name: REMIND_QUEUE,
      handler: (data) => this.remind(data.waveId).then(() => undefined),
      retryLimit: 10,
    });
    await this.jobs.register<{ waveId: string }>({
      name: CLOSE_QUEUE,
      handler: (data) => this.close(data.waveId).then(() => undefined),
      retryLimit: 10,
    });
  }

  /** After a start (perhaps after a crash): look for due work now, not at the next minute. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobWorkers) await this.jobs.send(SCHEDULE_QUEUE, {});
  }

  /**
   * Waves of a campaign that ran and closed before this instance recorded them (the demo's
   * history), each with its survey already written (SurveysService.recordPastSurveys).
   */
  recordPastWaves(campaignId: string, waves: PastWave[]): Promise<void> {
    return this.campaigns.insertPastWaves(campaignId, waves);
  }

  /**
   * Job `campaigns.schedule`. Creates the wave of each active campaign's latest due opening
   * (one whose window has not ended, at or after the campaign's schedule start and after its
   * last wave) and enqueues the open, remind and close jobs that are due. One instance at a time
   * does it (an advisory lock); the unique (campaign, opening time) makes it safe regardless.
   */
  async tick(
    now = new Date(),
  ): Promise<{ created: number; open: number; remind: number; close: number }> {
    const created = await this.campaigns.transaction(async (manager) => {
      if (!(await this.campaigns.tryLockScheduler(manager))) return 0;
      let made = 0;
      for (const campaign of await this.campaigns.activeCampaigns(manager)) {
        const last = await this.campaigns.lastOpensAt(campaign.id, manager);
        const from = Math.max(
          campaign.scheduleFrom.getTime(),
          now.getTime() - campaign.openDays * DAY + 1,
          last ? last.getTime() + 1 : 0,
        );
        const due = occurrences(cadenceOf(campaign), from, now.getTime(), 500);
        const opensAt = due[due.length - 1];
        if (opensAt === undefined) continue;
        const id = await this.campaigns.insertWave(
          campaign.id,
          new Date(opensAt),
          new Date(opensAt + campaign.openDays * DAY),
          manager,
        );
        if (id) made++;
      }
      return made;
    });
    const due = await this.campaigns.dueWork(now);
    // One job per wave and minute at most (pg-boss throttling by key); a duplicate does nothing.
    const enqueue = (queue: string, ids: string[]) =>
      Promise.all(
        ids.map((waveId) =>
          this.jobs.send(queue, { waveId }, { singletonKey: waveId, singletonSeconds: 60 }),
        ),
      );
    await Promise.all([
      enqueue(OPEN_QUEUE, due.open),
      enqueue(REMIND_QUEUE, due.remind),
      enqueue(CLOSE_QUEUE, due.close),
    ]);
    if (created > 0) this.logger.log(`created ${created} wave(s)`);
    return { created, open: due.open.length, remind: due.remind.length, close: due.close.length };
  }

  /**
   * Job `wave.open`: in one transaction, the wave's survey (its question subset, the campaign's
   * k), one invitation per person of the audience as it is now (one INSERT … SELECT, with each
   * person's segments, team and send-window instant) and their mail. A wave of a campaign that
   * was paused or archived meanwhile closes without inviting anyone, and so does a wave whose
   * audience (after the fatigue budget) is smaller than m (MIX_BATCH_SIZE): its answers could
   * never be released, so it is not sent. Returns how many were invited, or undefined when the
   * wave was not waiting to open.
   */
  async open(waveId: string): Promise<number | undefined> {
    const result = await this.openOrRefuse(waveId);
    if (result && 'tooSmall' in result) {
      await this.campaigns.transaction((manager) =>
        this.campaigns.updateWave(
          waveId,
          { status: 'closed', closedAt: new Date(), invited: 0 },
          manager,
        ),
      );
      this.logger.warn(
        `wave ${waveId} not opened: its audience holds ${result.tooSmall} people, fewer than the ${this.config.mixBatchSize} a release needs`,
      );
      return 0;
    }
    if (!result) return undefined;
    this.logger.log(
      `wave ${waveId} opened: ${result.invited} invited, ${result.skippedByBudget} kept out by the fatigue budget`,
    );
    return result.invited;
  }

  private async openOrRefuse(
    waveId: string,
  ): Promise<{ invited: number; skippedByBudget: number } | { tooSmall: number } | undefined> {
    return this.campaigns
      .transaction(async (manager) => {
        const wave = await this.campaigns.lockWave(waveId, manager);
        if (!wave || wave.status !== 'scheduled') return undefined;
        const campaign = await this.campaignsService.get(wave.campaignId);
        if (campaign.status !== 'active') {
          await this.campaigns.updateWave(
            wave.id,
            { status: 'closed', closedAt: new Date(), invited: 0 },
            manager,
          );
          return { invited: 0, skippedByBudget: 0 };
        }
        const questionnaire = await this.surveys.getQuestionnaire(campaign.questionnaireId);
        const questions = questionnaire.questions ?? [];
        const questionIds = rotatedQuestions(questions, campaign.rotationSize, wave.number);
        const asked = questions.filter((q) => questionIds === null || questionIds.includes(q.id));
        const survey = await this.surveys.createWaveSurvey(
          {
            name: campaign.name,
            titles: respondentTitles(campaign),
            questionnaireId: campaign.questionnaireId,
            subject: campaign.subject,
            ratedTeamIds: campaign.teamIds,
            questionIds,
            reportingThreshold: campaign.reportingThreshold,
            closesAt: wave.closesAt,
          },
          manager,
        );
        const audience = await this.audiences.filter(campaign);
        const { invited, skippedByBudget } = await this.invitations.openWave(
          {
            surveyId: survey.id,
            opensAt: wave.opensAt,
            expiresAt: wave.closesAt,
            audience,
            asksEnps: asked.some((q) => q.type === 'enps'),
            sendAfter: await this.sendAfterByZone(campaign, wave.opensAt, audience),
            organisationTimeZone: this.config.organisationTimeZone,
          },
          WAVE_MAIL_KIND,
          manager,
        );
        // Rolls the whole opening back (survey, invitations, mails): see open().
        if (invited < this.config.mixBatchSize) throw new AudienceTooSmall(invited);
        await this.campaigns.updateWave(
          wave.id,
          { status: 'open', surveyId: survey.id, invited, openedAt: new Date() },
          manager,
        );
        return { invited, skippedByBudget };
      })
      .catch((error: unknown) => {
        if (error instanceof AudienceTooSmall) return { tooSmall: error.people };
        throw error;
      });
  }

  /**
   * The first instant each time zone of the audience may get its mail: the send window, in
   * that zone, from the opening on. A handful of zones, never the audience itself.
   */
  private async sendAfterByZone(
    campaign: Campaign,
    opensAt: Date,
    audience: AudienceFilter,
  ): Promise<Record<string, string>> {
    const zones = await this.directory.audienceTimeZones(audience);
    const window = { from: campaign.windowFrom, to: campaign.windowTo, days: campaign.windowDays };
    const byZone: Record<string, string> = {};
    for (const zone of zones) {
      const tz = zone ?? this.config.organisationTimeZone;
      byZone[tz] = new Date(firstSendInstant(opensAt.getTime(), window, tz)).toISOString();
    }
    return byZone;
  }

  /**
   * Job `wave.remind`: the reminder that is due (the latest of the campaign's reminder days
   * passed), to those who have not answered; reminders already sent are not sent again.
   */
  async remind(waveId: string, now = new Date()): Promise<number | undefined> {
    return this.campaigns.transaction(async (manager) => {
      const wave = await this.campaigns.lockWave(waveId, manager);
      if (!wave || wave.status !== 'open' || !wave.surveyId || wave.closesAt <= now)
        return undefined;
      const campaign = await this.campaignsService.get(wave.campaignId);
      if (campaign.status !== 'active') return undefined;
      const due = campaign.reminderDays.filter(
        (d) => wave.opensAt.getTime() + d * DAY <= now.getTime(),
      ).length;
      if (due <= wave.remindersSent) return undefined;
      await this.invitations.queueReminders(wave.surveyId, due, WAVE_MAIL_KIND, manager);
      await this.campaigns.updateWave(wave.id, { remindersSent: due }, manager);
      return due;
    });
  }

  /** Job `wave.close`: at the end of its window. Its links already answer 410 (closes_at). */
  async close(waveId: string, now = new Date()): Promise<boolean> {
    return this.campaigns.transaction(async (manager) => {
      const wave = await this.campaigns.lockWave(waveId, manager);
      if (!wave || wave.status !== 'open' || wave.closesAt > now) return false;
      await this.campaigns.updateWave(wave.id, { status: 'closed', closedAt: now }, manager);
      return true;
    });
  }
}

/** A wave's audience is smaller than a release needs (see WavesService.open). */
class AudienceTooSmall extends Error {
  constructor(readonly people: number) {
    super(`audience of ${people}`);
  }
}
