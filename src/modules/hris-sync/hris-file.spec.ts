import { cronProblem } from './cron';
import { mappingProblems, readHrisFile, sanitiseReason } from './hris-file';
import { exceedsSafetyStop } from './hris-sync.service';

describe('the HRIS file, its mapping and schedule', () => {
  it('reads CSV columns by header (any case) and JSON keys, nested ones too, in field order', () => {
    const csv = readHrisFile('Mail,Full Name,Dept\na@example.com,Ann,Sales\n', 'csv', {
      name: 'full name',
      email: 'MAIL',
    });
    expect(csv).toEqual([{ line: 2, values: { email: 'a@example.com', name: 'Ann' } }]);
    const json = readHrisFile(
      JSON.stringify({ employees: [{ work: { email: 'b@example.com' }, n: 'Bo', on: false }] }),
      'json',
      { email: 'work.email', name: 'n', active: 'on' },
    );
    expect(json).toEqual([
      { line: 1, values: { email: 'b@example.com', name: 'Bo', active: 'false' } },
    ]);
    // An object where a value should be is no value; __proto__ reaches nothing.
    const odd = readHrisFile('[{"e": {"x": 1}, "n": "C"}]', 'json', {
      email: 'e',
      name: '__proto__.constructor',
    });
    expect(odd[0].values).toEqual({ email: '', name: '' });
  });

  it('says what is wrong with a file as a whole', () => {
    expect(() => readHrisFile('a,b\n1,2', 'csv', { email: 'mail', name: 'a' })).toThrow(
      'the column "mail" (for email) is not in the file\'s header',
    );
    expect(() => readHrisFile('"unclosed', 'csv', { email: 'a', name: 'b' })).toThrow(
      /not valid CSV/,
    );
    expect(() => readHrisFile('{"people": []}', 'json', { email: 'a', name: 'b' })).toThrow(
      /must be a list of people/,
    );
    expect(() => readHrisFile('[]', 'json', { email: 'a', name: 'b' })).toThrow(/lists nobody/);
    // A file of nobody would deactivate everyone: refused before any plan.
    expect(() => readHrisFile('a,b\n', 'csv', { email: 'a', name: 'b' })).toThrow(/nobody in it/);
  });

  it('names every problem of a mapping', () => {
    expect(mappingProblems({ email: 'A', name: 'B' })).toEqual([]);
    expect(mappingProblems(null)).toEqual(['the mapping must name a column for each field']);
    expect(mappingProblems({ email: 'x', name: 'X', size: 'y', team: '' })).toEqual([
      'name and email both read the column "X"',
      '"size" is not an employee field (email, name, department, location, hire_date, locale, external_id, active, time_zone, team)',
      'the column of team must be a name of 1 to 100 characters',
    ]);
    expect(mappingProblems({ name: 'n' })).toEqual(['the column of email is required']);
  });

  it('accepts five-field cron expressions only', () => {
    for (const ok of ['0 5 * * *', '*/15 8-18 * * 1-5', '0 0 1,15 * 0', '59 23 31 12 7'])
      expect(cronProblem(ok)).toBeUndefined();
    for (const bad of [
      '',
      '* * * *',
      '60 * * * *',
      '0 24 * * *',
      '0 0 0 * *',
      '5-1 * * * *',
      '*/0 * * * *',
      'a b c d e',
    ])
      expect(cronProblem(bad)).toBeDefined();
  });

  it('stops a run that deactivates more than the share, not one that reaches it', () => {
    const plan = (n: number) =>
      ({ deactivated: Array.from({ length: n }), activeBefore: 20 }) as never;
    expect(exceedsSafetyStop(plan(2), 10)).toBe(false);
    expect(exceedsSafetyStop(plan(3), 10)).toBe(true);
    expect(exceedsSafetyStop(plan(1), 0)).toBe(true);
    expect(exceedsSafetyStop(plan(0), 0)).toBe(false);
  });

  it("shows only a short, printable excerpt of a refused row's cells", () => {
    const secret = `AKIA${'X'.repeat(40)}-aws-secret-from-metadata`;
    const reason = sanitiseReason(
      `locale "${secret}" is not a language tag; active "\u202eyes\u0007" must be true or false`,
    );
    expect(reason).not.toContain(secret);
    expect(reason).toContain(`locale "${secret.slice(0, 24)}…"`);
    expect(reason).toContain('active "yes"');
    expect(sanitiseReason('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });
});
