import type { TicketEventInput, TicketEventType } from './normalisers';
import {
  applyTicketEvent,
  resolutionBand,
  resolutionOf,
  teamFor,
  type TicketFacts,
} from './ticket-rules';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR);

function event(type: TicketEventType, hours: number, extra: Partial<TicketEventInput> = {}) {
  return {
    eventId: null,
    ticketId: 'T-1',
    type,
    occurredAt: at(hours),
    requesterEmail: null,
    requesterId: null,
    assigneeEmail: null,
    assigneeId: null,
    groupId: null,
    groupName: null,
    category: null,
    priority: null,
    channel: null,
    createdAt: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    ...extra,
  } satisfies TicketEventInput;
}

/** Applies events in the given order; returns the final facts and every due time scheduled. */
function run(events: TicketEventInput[]) {
  let facts: TicketFacts | undefined;
  const scheduled: number[] = [];
  for (const e of events) {
    const change = applyTicketEvent(facts, e, at(100), HOUR);
    if (change.schedule) scheduled.push((change.schedule.getTime() - T0) / HOUR);
    facts = change;
  }
  return { facts: facts as TicketFacts, scheduled };
}

describe('ticket rules', () => {
  it('schedules one survey at resolution + delay; a closure after it changes nothing', () => {
    const { facts, scheduled } = run([
      event('created', 0),
      event('resolved', 2),
      event('closed', 50),
    ]);
    expect(scheduled).toEqual([3]);
    expect(facts.surveyState).toBe('pending');
    expect(facts.closedAt).toEqual(at(50));
  });

  it('a reopen cancels the pending survey; the next resolution schedules it again, once', () => {
    const { facts, scheduled } = run([
      event('resolved', 2),
      event('reopened', 2.5),
      event('resolved', 5),
      event('closed', 9),
    ]);
    expect(scheduled).toEqual([3, 6]);
    expect(facts.surveyState).toBe('pending');
    expect(facts.surveyDueAt).toEqual(at(6));
    expect(facts.reopenCount).toBe(1);
  });

  it('once sent (or skipped), a reopen and a new resolution schedule nothing more', () => {
    for (const state of ['sent', 'skipped:throttled', 'dead'] as const) {
      const first = run([event('resolved', 2)]).facts;
      let facts: TicketFacts = { ...first, surveyState: state };
      const scheduled: Date[] = [];
      for (const e of [event('reopened', 4), event('resolved', 6)]) {
        const change = applyTicketEvent(facts, e, at(100), HOUR);
        if (change.schedule) scheduled.push(change.schedule);
        facts = change;
      }
      expect({ state, scheduled, final: facts.surveyState }).toEqual({
        state,
        scheduled: [],
        final: state,
      });
    }
  });

  it('reaches the same state whatever order the events arrive in', () => {
    const events = [
      event('created', 0),
      event('resolved', 2),
      event('reopened', 3),
      event('resolved', 5),
      event('closed', 20),
    ];
    const orders = permutations(events);
    const finals = orders.map((order) => {
      const { facts, scheduled } = run(order);
      return {
        state: facts.surveyState,
        due: facts.surveyDueAt,
        resolution: resolutionOf(facts),
        last: scheduled[scheduled.length - 1],
      };
    });
    for (const final of finals)
      expect(final).toEqual({ state: 'pending', due: at(6), resolution: at(5), last: 6 });
  });

  it('a reopen arriving after its own resolution, late, leaves the ticket open', () => {
    const { facts, scheduled } = run([event('reopened', 3), event('resolved', 2)]);
    expect(resolutionOf(facts) !== null).toBe(false);
    expect(scheduled).toEqual([]);
    expect(facts.surveyState).toBeNull();
  });

  it('closing an open ticket resolves it; the resolution time of the payload wins', () => {
    expect(run([event('closed', 4)]).scheduled).toEqual([5]);
    expect(run([event('closed', 4, { resolvedAt: at(1) })]).scheduled).toEqual([2]);
  });

  it('bands resolution times coarsely', () => {
    expect(resolutionBand(at(0), at(3.9))).toBe('<4h');
    expect(resolutionBand(at(0), at(4))).toBe('4-24h');
    expect(resolutionBand(at(0), at(30))).toBe('1-3d');
    expect(resolutionBand(at(0), at(80))).toBe('3d+');
    expect(resolutionBand(null, at(1))).toBeNull();
    expect(resolutionBand(at(2), at(1))).toBeNull();
  });

  it('maps a group to a team by id or name, any case, else the default', () => {
    const rules = [
      { match: 'Service Desk', teamId: 'sd' },
      { match: '360012883412', teamId: 'fac' },
    ];
    expect(teamFor(rules, 'def', { id: '10020', name: 'service desk' })).toBe('sd');
    expect(teamFor(rules, 'def', { id: '360012883412', name: null })).toBe('fac');
    expect(teamFor(rules, 'def', { id: null, name: 'Payroll' })).toBe('def');
  });
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
