import type { CsvRowError } from './employee-csv';
import type { EmployeeInput } from './employee-input';

/** An employee as the directory holds it, in the fields a sync compares. */
export interface SyncedEmployee {
  id: string;
  email: string;
  name: string;
  department: string | null;
  location: string | null;
  hireDate: string | null;
  locale: string;
  externalId: string | null;
  active: boolean;
  timeZone: string | null;
  teamSlug: string | null;
}

/** The employee fields a file may hold, in the directory's words (CSV_COLUMNS). */
export const SYNC_FIELDS = [
  'email',
  'name',
  'department',
  'location',
  'hire_date',
  'locale',
  'external_id',
  'active',
  'time_zone',
  'team',
] as const;
export type SyncField = (typeof SYNC_FIELDS)[number];

const PROPERTY: Record<SyncField, keyof EmployeeInput> = {
  email: 'email',
  name: 'name',
  department: 'department',
  location: 'location',
  hire_date: 'hireDate',
  locale: 'locale',
  external_id: 'externalId',
  active: 'active',
  time_zone: 'timeZone',
  team: 'teamSlug',
};

export interface SyncChange {
  field: SyncField;
  from: string | boolean | null;
  to: string | boolean | null;
}

/** What a sync would do (a dry run) or did, row by row. */
export interface SyncPlan {
  /** The rows to write: new and changed people (unmapped fields keep their values). */
  writes: (EmployeeInput & { line: number })[];
  unchanged: number;
  added: { line: number; email: string; name: string }[];
  changed: { line: number; email: string; changes: SyncChange[] }[];
  /** Active people the file leaves out or marks inactive. */
  deactivated: { id: string; email: string; name: string; reason: 'missing' | 'inactive' }[];
  rejected: CsvRowError[];
  /** Active people before the run (the safety stop's base). */
  activeBefore: number;
}

/** A plan as it is kept with its run and shown: counts, and each list cut to its first rows. */
export interface SyncPlanSummary {
  counts: {
    added: number;
    changed: number;
    deactivated: number;
    rejected: number;
    unchanged: number;
  };
  activeBefore: number;
  added: SyncPlan['added'];
  changed: SyncPlan['changed'];
  deactivated: Omit<SyncPlan['deactivated'][number], 'id'>[];
  rejected: CsvRowError[];
}

export const SUMMARY_ROWS = 200;

export function summarisePlan(plan: SyncPlan, rows = SUMMARY_ROWS): SyncPlanSummary {
  return {
    counts: {
      added: plan.added.length,
      changed: plan.changed.length,
      deactivated: plan.deactivated.length,
      rejected: plan.rejected.length,
      unchanged: plan.unchanged,
    },
    activeBefore: plan.activeBefore,
    added: plan.added.slice(0, rows),
    changed: plan.changed.slice(0, rows),
    deactivated: plan.deactivated.slice(0, rows).map(({ email, name, reason }) => ({
      email,
      name,
      reason,
    })),
    rejected: plan.rejected.slice(0, rows),
  };
}

/**
 * Compares a whole file with the directory: new addresses are added, known ones changed where a
 * mapped field differs (an unmapped field keeps its value, `active` included: only a mapped
 * `active` column reactivates someone; an empty external id keeps the one recorded, as the CSV
 * import does), and every active person the file leaves out — or marks
 * inactive — is deactivated. A rejected row whose address can be read still protects its person
 * from being deactivated as missing: a typo in one cell must not switch someone off.
 */
export function planSync(input: {
  current: readonly SyncedEmployee[];
  rows: readonly (EmployeeInput & { line: number })[];
  rejected: readonly CsvRowError[];
  /** Addresses read on rejected rows (lower-cased). */
  rejectedEmails: ReadonlySet<string>;
  mapped: ReadonlySet<SyncField>;
}): SyncPlan {
  const byEmail = new Map(input.current.map((e) => [e.email, e]));
  const plan: SyncPlan = {
    writes: [],
    unchanged: 0,
    added: [],
    changed: [],
    deactivated: [],
    rejected: [...input.rejected],
    activeBefore: input.current.filter((e) => e.active).length,
  };
  const seen = new Set<string>();
  for (const row of input.rows) {
    seen.add(row.email);
    const before = byEmail.get(row.email);
    if (!before) {
      plan.writes.push(row);
      plan.added.push({ line: row.line, email: row.email, name: row.name });
      continue;
    }
    const merged = { ...row } as EmployeeInput & { line: number };
    const changes: SyncChange[] = [];
    for (const field of SYNC_FIELDS) {
      const key = PROPERTY[field];
      const old = before[key as keyof SyncedEmployee] as string | boolean | null;
      // An unmapped field keeps its value — `active` too: without a mapped column the sync never
      // reactivates someone HR deactivated (it only deactivates those the file leaves out).
      const kept = !input.mapped.has(field);
      if (kept || (field === 'external_id' && row.externalId === null)) {
        (merged as unknown as Record<string, unknown>)[key] = old;
        continue;
      }
      const now = row[key] as string | boolean | null;
      if (now !== old) changes.push({ field, from: old, to: now });
    }
    if (changes.length === 0) {
      plan.unchanged += 1;
      continue;
    }
    plan.writes.push(merged);
    plan.changed.push({ line: row.line, email: row.email, changes });
    if (before.active && !merged.active)
      plan.deactivated.push({
        id: before.id,
        email: before.email,
        name: before.name,
        reason: 'inactive',
      });
  }
  for (const employee of input.current) {
    if (!employee.active || seen.has(employee.email) || input.rejectedEmails.has(employee.email))
      continue;
    plan.deactivated.push({
      id: employee.id,
      email: employee.email,
      name: employee.name,
      reason: 'missing',
    });
  }
  return plan;
}
