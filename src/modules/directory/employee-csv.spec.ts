import { parseEmployeeCsv } from './employee-csv';

describe('parseEmployeeCsv', () => {
  it('reads quoted fields, a BOM, CRLF and any column order', () => {
    const parsed = parseEmployeeCsv(
      '\ufeffname,email,locale\r\n"Doe, Jane",JANE@example.com ,ES\r\n',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([
      expect.objectContaining({
        line: 2,
        email: 'jane@example.com',
        name: 'Doe, Jane',
        locale: 'es',
        active: true,
      }),
    ]);
  });

  it('counts lines across a quoted line break, and refuses line breaks in names', () => {
    const parsed = parseEmployeeCsv('email,name\na@example.com,"Two\nlines"\nbad,B\n');
    expect(parsed.errors).toEqual([
      { line: 3, reason: 'name contains control characters' },
      { line: 4, reason: 'email "bad" is not a valid address' },
    ]);
  });

  it('refuses a header with no rows', () => {
    expect(parseEmployeeCsv('email,name\n').errors).toEqual([
      { line: 1, reason: 'the file has a header but no rows' },
    ]);
  });

  it('refuses a hire date far in the future', () => {
    const parsed = parseEmployeeCsv('email,name,hire_date\na@example.com,A,2999-01-01\n');
    expect(parsed.errors[0].reason).toMatch(/too far in the future/);
  });
});
