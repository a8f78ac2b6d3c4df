import { planSync, type SyncedEmployee } from './directory-sync';
import type { EmployeeInput } from './employee-input';

const person = (email: string, over: Partial<SyncedEmployee> = {}): SyncedEmployee => ({
  id: `id-${email}`,
  email,
  name: email.split('@')[0],
  department: 'Sales',
  location: 'Madrid',
  hireDate: null,
  locale: 'en',
  externalId: null,
  active: true,
  timeZone: null,
  teamSlug: null,
  ...over,
});
const row = (line: number, email: string, over: Partial<EmployeeInput> = {}) => ({
  line,
  email,
  name: email.split('@')[0],
  department: null,
  location: null,
  hireDate: null,
  locale: 'en',
  externalId: null,
  active: true,
  timeZone: null,
  teamSlug: null,
  ...over,
});

describe('planSync', () => {
  it('keeps unmapped fields, deactivates the missing, spares a rejected row with a readable address', () => {
    const plan = planSync({
      current: [
        person('a@x.com'),
        person('b@x.com'),
        person('c@x.com'),
        person('d@x.com', { active: false }),
      ],
      rows: [
        row(2, 'a@x.com', { department: 'Legal' }),
        row(3, 'd@x.com', { department: 'Sales' }),
        row(4, 'new@x.com'),
      ],
      rejected: [{ line: 5, reason: 'bad hire_date' }],
      rejectedEmails: new Set(['c@x.com']),
      mapped: new Set(['email', 'name', 'department']),
    });
    expect(plan.added.map((a) => a.email)).toEqual(['new@x.com']);
    expect(plan.changed).toEqual([
      { line: 2, email: 'a@x.com', changes: [{ field: 'department', from: 'Sales', to: 'Legal' }] },
    ]);
    // Location was not mapped: a's stays Madrid in what is written.
    expect(plan.writes.find((w) => w.email === 'a@x.com')?.location).toBe('Madrid');
    expect(plan.deactivated.map((d) => [d.email, d.reason])).toEqual([['b@x.com', 'missing']]);
    expect(plan.activeBefore).toBe(3);
    // d was deactivated by HR; `active` is not mapped: being in the file does not bring them back.
    expect(plan.writes.find((w) => w.email === 'd@x.com')).toBeUndefined();
    expect(plan.unchanged).toBe(1);
  });

  it('reactivates only through a mapped active column', () => {
    const input = {
      current: [person('d@x.com', { active: false })],
      rows: [row(2, 'd@x.com')],
      rejected: [],
      rejectedEmails: new Set<string>(),
    };
    const unmapped = planSync({ ...input, mapped: new Set(['email', 'name']) });
    expect(unmapped.writes).toEqual([]);
    expect(unmapped.changed).toEqual([]);
    const mapped = planSync({ ...input, mapped: new Set(['email', 'name', 'active']) });
    expect(mapped.changed).toEqual([
      { line: 2, email: 'd@x.com', changes: [{ field: 'active', from: false, to: true }] },
    ]);
  });
});
