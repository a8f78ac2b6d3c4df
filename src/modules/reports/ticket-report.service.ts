import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RESOLUTION_BANDS } from '../tickets/ticket-rules';
import { TicketsService } from '../tickets/tickets.service';
import { guard, periodClosed, whenClosed } from './anonymity';
import { addBuckets, bucketLabel } from './periods';
import { COMMENTS_SHOWN, TREND_BUCKETS, type TicketReport } from './report-types';
import { ReportTreeService, type ReportScope, subtreeIds } from './report-tree.service';
import { ReportsRepository } from './reports.repository';
import { compareNps } from './significance';

/** The part of a team's page after tickets for one period (see TicketReport). */
@Injectable()
export class TicketReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly reports: ReportsRepository,
    private readonly tickets: TicketsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(scope: ReportScope): Promise<TicketReport> {
    const { all, team, grain, start, end, range, subtree, trendFrom, memo } = scope;
    const k = this.tree.k;
    const members = Object.fromEntries(subtree.map((id) => [id, subtreeIds(all, id)]));
    const closed = periodClosed(end);

    const [tickets, pulses, reviews, perQuestion, bands, live] = await Promise.all([
      // The same statements as the pulse part's (12 buckets: the current one is among them).
      this.tree.rollups(all, { grain, from: trendFrom, to: end }, 'ticket', memo),
      this.tree.rollups(all, { grain, from: trendFrom, to: end }, 'pulse', memo),
      this.tree.rollups(all, { grain, from: trendFrom, to: end }, 'review', memo),
      this.tree.questionRollups(all, range, 'ticket', memo),
      closed ? this.reports.ticketNpsByBandAndGroup(members, range) : Promise.resolve([]),
      this.standards(scope),
    ]);
    const ticketNps = (bucket: string) =>
      whenClosed(addBuckets(bucket, grain, 1), () => tickets.nps(team.id, bucket));
    const reviewNps = (bucket: string) =>
      whenClosed(addBuckets(bucket, grain, 1), () => reviews.nps(team.id, bucket));
    const previous = addBuckets(start, grain, -1);
    const shown = (id: string) => closed && tickets.visible(start).has(id);

    const textQuestions = perQuestion.questions.filter((q) => q.type === 'text');
    const commentCount = textQuestions.reduce(
      (total, q) => total + perQuestion.counts(q.id, team.id).n,
      0,
    );
    const commentsShown =
      shown(team.id) && textQuestions.some((q) => perQuestion.visible(q.id).has(team.id));
    const texts =
      commentsShown && commentCount >= this.config.commentThreshold
        ? await this.reports.commentSample(subtree, range, COMMENTS_SHOWN, 'ticket')
        : [];
    const breakdown = this.tree.breakdownOf(all, team, bands, shown, (id) =>
      tickets.counts(id, start),
    );
    const order = (label: string) => {
      const i = (RESOLUTION_BANDS as readonly string[]).indexOf(label);
      return i === -1 ? RESOLUTION_BANDS.length + (label === 'Other' ? 1 : 0) : i;
    };
    return {
      k,
      period: { ...this.tree.period(grain, start, end), closed },
      sources: (
        [
          ['pulse', 'Pulse surveys', (b: string) => pulses.nps(team.id, b)],
          ['ticket', 'After tickets', ticketNps],
          // Released per period like answers after tickets: shown once the period has closed.
          ['review', 'Anonymous reviews', reviewNps],
        ] as const
      ).map(([source, label, value]) => ({
        source,
        label,
        value: value(start),
        change: compareNps(value(start), value(previous)) ?? null,
      })),
      trend: Array.from({ length: TREND_BUCKETS }, (_, i) => {
        const bucket = addBuckets(trendFrom, grain, i);
        return {
          bucket,
          label: bucketLabel(bucket, grain),
          closed: periodClosed(addBuckets(bucket, grain, 1)),
          value: ticketNps(bucket),
        };
      }),
      bands: {
        onSubTeams: breakdown.onSubTeams,
        groups: [...breakdown.groups].sort((a, b) => order(a.label) - order(b.label)),
      },
      comments: guard(commentsShown ? commentCount : 0, this.config.commentThreshold, () => ({
        texts,
        shown: texts.length,
      })),
      ...live,
    };
  }

  /**
   * The service standards and busiest hours of the team's tickets in the period: from ticket
   * events, which a webhook may change at any time (a ticket of a closed month resolved today),
   * so never from the report cache.
   */
  async standards(scope: ReportScope): Promise<Pick<TicketReport, 'standards' | 'busiestHours'>> {
    const { team, range, subtree } = scope;
    const [standards, hours] = await Promise.all([
      this.tickets.serviceStandards(subtree, range),
      this.tickets.busiestHours(subtree, range),
    ]);
    return {
      standards: {
        opened: standards.opened,
        responded: standards.responded,
        resolved: standards.resolved,
        firstResponse: {
          median: standards.firstResponseMedianMinutes,
          p90: standards.firstResponseP90Minutes,
          target: team.firstResponseTargetMinutes,
        },
        handling: {
          median: standards.handlingMedianMinutes,
          p90: standards.handlingP90Minutes,
          target: team.resolutionTargetMinutes,
        },
      },
      busiestHours: {
        timeZone: this.tickets.timeZone,
        max: Math.max(0, ...hours.map((h) => h.tickets)),
        cells: hours,
      },
    };
  }
}
