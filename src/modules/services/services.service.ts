import { ReadDatabase } from '../../database/read-database';
import { Inject, Injectable } from '@nestjs/common';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ActionsService, type PublishedAction } from '../actions/actions.service';
import { ReportsService } from '../reports/reports.service';
import { TicketsService } from '../tickets/tickets.service';
import { channelView, type ChannelView } from './channels';
import { purposeFor as profilePurpose } from '../teams/team-profile';
import {
  hoursView,
  type HoursView,
  openingBadge,
  type OpeningBadge,
  openingStateNow,
} from './hours-view';
import { searchTeams } from './service-search';
import { ServicesErrors } from './services.errors';
import { ServicesClock } from './services-clock';
import { type DirectoryTeamRow, ServicesRepository } from './services.repository';
import { dateFormat, numberFormat } from './intl-cache';

/** A team's purpose in the reader's language, or in the one it was written in (marked). */
export interface PurposeView {
  handles: string;
  excludes: string;
  /** One line for the chart's box. */
  summary: string;
  locale: string;
  translated: boolean;
}

export interface ChartNode {
  slug: string;
  name: string;
  purpose: PurposeView;
  badge: OpeningBadge;
  children: ChartNode[];
}

export interface SearchHit {
  slug: string;
  name: string;
  purpose: PurposeView;
  /** For a team that does not handle it: the teams that say they do. */
  instead: { slug: string; name: string }[];
}

const SUMMARY_LENGTH = 90;

/** The teams feature's purposeFor (the reader's language, else the profile's, marked), with one line of it. */
function purposeFor(team: DirectoryTeamRow, locale: string): PurposeView {
  const p = profilePurpose(team, locale);
  const handles = p?.handles ?? '';
  const first = handles.split(/\r?\n/)[0].trim();
  const summary = first.length > SUMMARY_LENGTH ? `${first.slice(0, SUMMARY_LENGTH - 1)}…` : first;
  return {
    handles,
    excludes: p?.excludes ?? '',
    summary,
    locale: p?.locale ?? locale,
    translated: p?.translated ?? true,
  };
}

/** Minutes as the reader reads a duration: "45 min", "3.5 h", "2 d" (operational, not answers). */
function duration(i18n: I18n, locale: string, minutes: number | null): string | undefined {
  if (minutes === null) return undefined;
  const number = (n: number) => numberFormat(locale, { maximumFractionDigits: 1 }).format(n);
  if (minutes < 90)
    return i18n.t(locale, 'services.units.minutes', { n: number(Math.round(minutes)) });
  if (minutes < 48 * 60) return i18n.t(locale, 'services.units.hours', { n: number(minutes / 60) });
  return i18n.t(locale, 'services.units.days', { n: number(minutes / 1440) });
}

/**
 * The service directory for employees: the teams as a tree with what they handle and whether
 * they are open, search over purposes, and a team's page. Every figure comes from the feature
 * that owns it: satisfaction from the reports' query layer (its threshold and tree rule),
 * service standards from the tickets feature, "you said, we did" from actions.
 */
@Injectable()
export class ServicesService {
  constructor(
    private readonly repository: ServicesRepository,
    private readonly reports: ReportsService,
    private readonly tickets: TicketsService,
    private readonly actions: ActionsService,
    private readonly clock: ServicesClock,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly read: ReadDatabase,
  ) {}

  /** The chart (and, with a query, what matches it), in `locale`. */
  async directory(locale: string, query: string | undefined) {
    const rows = await this.repository.directoryTeams();
    const now = this.clock.now();
    const nodes = new Map<string, ChartNode>();
    for (const row of rows)
      nodes.set(row.id, {
        slug: row.slug,
        name: row.name,
        purpose: purposeFor(row, locale),
        badge: openingBadge(this.i18n, locale, row, openingStateNow(row, now)),
        children: [],
      });
    const roots: ChartNode[] = [];
    for (const row of rows) {
      const node = nodes.get(row.id) as ChartNode;
      const parent = row.parentId ? nodes.get(row.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    let search: { query: string; handled: SearchHit[]; notHandled: SearchHit[] } | undefined;
    if (query !== undefined && query.trim() !== '') {
      const searchable = rows.map((row) => {
        const node = nodes.get(row.id) as ChartNode;
        return { id: row.id, node, handles: node.purpose.handles, excludes: node.purpose.excludes };
      });
      const found = searchTeams(searchable, query);
      const hit = (t: (typeof searchable)[number], instead: SearchHit['instead'] = []) => ({
        slug: t.node.slug,
        name: t.node.name,
        purpose: t.node.purpose,
        instead,
      });
      const handledBy = found.handled.map((t) => ({ slug: t.node.slug, name: t.node.name }));
      search = {
        query,
        handled: found.handled.map((t) => hit(t)),
        notHandled: found.notHandled.map((t) => hit(t, handledBy)),
      };
    }
    return { roots, count: rows.length, search };
  }

  /** A team's page for employees; 404 for an unknown slug. */
  async teamPage(slug: string, locale: string) {
    const page = await this.teamPageOnce(slug, locale, false);
    if (page) return page;
    // A slug just renamed or a team just made may not have reached the replica: the whole page
    // again from the primary (one server for all its parts) before answering 404.
    this.read.pinToPrimary();
    return (await this.teamPageOnce(slug, locale, true))!;
  }

  /**
   * The page; undefined when the slug is unknown on a first pass that read through a pinned
   * scope. Not only when the scope is pinned to the replica now: the satisfaction figures, asked
   * at once beside the teams, may have re-pinned the scope to the primary (their own slug miss)
   * while the teams were being read from the replica.
   */
  private async teamPageOnce(slug: string, locale: string, last: boolean) {
    const now = this.clock.now();
    const quarterMonth = Math.floor(now.getUTCMonth() / 3) * 3;
    const lastQuarter = new Date(Date.UTC(now.getUTCFullYear(), quarterMonth - 3, 1))
      .toISOString()
      .slice(0, 10);
    // Asked at once, beside the teams (it needs only the slug): two round trips, not three. An
    // unknown slug fails it too; that failure is the 404 below, so it is not awaited then.
    const satisfactionAsked = this.reports.directorySatisfaction(slug, 'quarter', lastQuarter);
    satisfactionAsked.catch(() => undefined);
    const rows = await this.repository.directoryTeams();
    const team = rows.find((r) => r.slug === slug);
    if (!team && !last && this.read.pinnedTo() !== undefined) return undefined;
    if (!team) throw ServicesErrors.teamNotFound(slug);
    const subtree = [team.id];
    for (let i = 0; i < subtree.length; i++)
      for (const r of rows) if (r.parentId === subtree[i]) subtree.push(r.id);

    const today = now.toISOString().slice(0, 10);
    const monthStart = `${today.slice(0, 7)}-01`;
    const lastMonth = new Date(Date.parse(`${monthStart}T00:00:00Z`));
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    const month = { from: lastMonth.toISOString().slice(0, 10), to: monthStart };

    const [standards, satisfaction, actions] = await Promise.all([
      this.tickets.serviceStandards(subtree, month),
      satisfactionAsked,
      this.actions.publishedFor([team.id], locale, 5),
    ]);
    const k = this.config.reportingThreshold;
    // `+ 0`: an interval bound rounded from just below zero is -0, which Intl writes "-0".
    const number = (n: number) => numberFormat(locale, { maximumFractionDigits: 1 }).format(n + 0);
    // Figures in the reader's digits (Persian ones in Persian); the cells stay as the reports made them.
    const figures = (cell: typeof satisfaction.pulse) =>
      cell.withheld
        ? undefined
        : {
            nps: number(cell.nps),
            low: number(cell.low),
            high: number(cell.high),
            n: number(cell.n),
          };
    const fmt = (m: number | null) => duration(this.i18n, locale, m);
    const standard = (
      target: number | null,
      count: number,
      median: number | null,
      p90: number | null,
    ) => ({
      target: fmt(target),
      count,
      tooFew: count < k,
      median: count < k ? undefined : fmt(median),
      p90: count < k ? undefined : fmt(p90),
    });
    const monthLabel = dateFormat(locale, {
      year: 'numeric',
      month: 'long',
      timeZone: 'UTC',
    }).format(new Date(`${month.from}T00:00:00Z`));
    const state = openingStateNow(team, now);
    const hours: HoursView = hoursView(locale, team, state.today, now);
    const channels: ChannelView[] = (team.contactChannels ?? [])
      .map((c) => channelView(this.i18n, locale, team.profileLocale, c))
      .filter((c): c is ChannelView => c !== undefined);
    const parent = rows.find((r) => r.id === team.parentId);
    const quarterLabel = satisfaction.period.label;
    return {
      team: { slug: team.slug, name: team.name },
      purpose: purposeFor(team, locale),
      badge: openingBadge(this.i18n, locale, team, state),
      hours,
      channels,
      standards: {
        month: monthLabel,
        k,
        kText: number(k),
        firstResponse: standard(
          team.firstResponseTargetMinutes,
          standards.responded,
          standards.firstResponseMedianMinutes,
          standards.firstResponseP90Minutes,
        ),
        resolution: standard(
          team.resolutionTargetMinutes,
          standards.resolved,
          standards.handlingMedianMinutes,
          standards.handlingP90Minutes,
        ),
      },
      satisfaction: {
        /** The report's label of the period (tests compare it), and the reader's words for it. */
        quarter: quarterLabel,
        quarterText: this.i18n.t(locale, 'services.quarter', {
          q: number((Number(lastQuarter.slice(5, 7)) - 1) / 3 + 1),
          year: numberFormat(locale, { useGrouping: false }).format(
            Number(lastQuarter.slice(0, 4)),
          ),
        }),
        k: this.reports.k,
        kText: number(this.reports.k),
        pulse: satisfaction.pulse,
        ticket: satisfaction.ticket,
        pulseText: figures(satisfaction.pulse),
        ticketText: figures(satisfaction.ticket),
      },
      actions: actions.map((a: PublishedAction) => ({
        ...a,
        doneOn: a.doneOn
          ? dateFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
              new Date(`${a.doneOn}T00:00:00Z`),
            )
          : undefined,
      })),
      parent: parent ? { slug: parent.slug, name: parent.name } : undefined,
      children: rows
        .filter((r) => r.parentId === team.id)
        .map((r) => ({ slug: r.slug, name: r.name })),
    };
  }
}
