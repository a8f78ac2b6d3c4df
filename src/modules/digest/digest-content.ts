import type { DigestFigures, DigestTeamFigures } from '../reports/digest-report.service';

/** Per team: follow-ups waiting, and open actions overdue or due in the next days. */
export interface TeamWork {
  followUps: Map<string, number>;
  actions: Map<string, { overdue: number; dueSoon: number }>;
}

/** One team's lines of a digest: only figures the team page shows (withheld stays withheld). */
export interface DigestTeamLine {
  name: string;
  link: string;
  shown: boolean;
  nps?: number;
  low?: number;
  high?: number;
  n?: number;
  rate?: number | null;
  /** rose / fell (significant), steady (not), none (no comparison). */
  change: 'rose' | 'fell' | 'steady' | 'none';
  delta?: number;
  smallSample: boolean;
  comments: number | null;
  followUps: number;
  overdue: number;
  dueSoon: number;
}

/** What a digest mail holds (stored with the mail: aggregates only, no comment text). */
export interface DigestContext {
  userId: string;
  name: string;
  k: number;
  grain: string;
  periodStart: string;
  teams: DigestTeamLine[];
  totals: { comments: number; followUps: number; overdue: number; dueSoon: number };
  anyChange: boolean;
  reportsLink: string;
  followUpsLink: string;
}

/** The wording a change may have: "rose"/"fell" only when significance.ts says so. */
export function changeWord(team: DigestTeamFigures): DigestTeamLine['change'] {
  if (!team.change) return 'none';
  if (!team.change.significant) return 'steady';
  return team.change.direction === 'up' ? 'rose' : 'fell';
}

/** The digest of one person about `teamIds` (in tree order), from the figures of all teams. */
export function digestContext(
  person: { id: string; name: string },
  figures: DigestFigures,
  teamIds: Set<string> | 'all',
  work: TeamWork,
  baseUrl: string,
): DigestContext {
  const query = `period=${figures.grain}&at=${figures.start}`;
  const teams = figures.teams
    .filter((t) => teamIds === 'all' || teamIds.has(t.id))
    .map((t): DigestTeamLine => {
      const actions = work.actions.get(t.id) ?? { overdue: 0, dueSoon: 0 };
      const line: DigestTeamLine = {
        name: t.name,
        link: `${baseUrl}/teams/${t.slug}?${query}`,
        shown: !t.nps.withheld,
        change: changeWord(t),
        smallSample: t.change?.smallSample ?? false,
        comments: t.comments.withheld ? null : t.comments.count,
        followUps: work.followUps.get(t.id) ?? 0,
        overdue: actions.overdue,
        dueSoon: actions.dueSoon,
      };
      if (!t.nps.withheld) {
        line.nps = t.nps.nps;
        line.low = t.nps.low;
        line.high = t.nps.high;
        line.n = t.nps.n;
        line.rate = t.responseRate.withheld ? null : t.responseRate.rate;
      }
      if (t.change) line.delta = Math.abs(t.change.delta);
      return line;
    });
  const sum = (pick: (t: DigestTeamLine) => number) => teams.reduce((s, t) => s + pick(t), 0);
  return {
    userId: person.id,
    name: person.name,
    k: figures.k,
    grain: figures.grain,
    periodStart: figures.start,
    teams,
    totals: {
      comments: sum((t) => t.comments ?? 0),
      followUps: sum((t) => t.followUps),
      overdue: sum((t) => t.overdue),
      dueSoon: sum((t) => t.dueSoon),
    },
    anyChange: teams.some((t) => t.change === 'rose' || t.change === 'fell'),
    reportsLink: `${baseUrl}/?${query}`,
    followUpsLink: `${baseUrl}/follow-ups`,
  };
}
