import { signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The employees page's CSV import as HTTP: a real multipart/form-data upload with the session's
 * CSRF token, refused without it, malformed bodies a 400 and oversized ones a 413, never a 500.
 */
describe('the CSV import of the employees page', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  const BOUNDARY = '----inpulseUpload7MA4YWxk';

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signIn(t, 'admin');
  });
  afterAll(() => t.close());

  const multipart = (fields: Record<string, string>, file?: { name: string; text: string }) =>
    Buffer.from(
      [
        ...Object.entries(fields).map(
          ([name, value]) =>
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
        ),
        file
          ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.text}\r\n`
          : '',
        `--${BOUNDARY}--\r\n`,
      ].join(''),
    );
  const upload = (url: string, payload: Buffer, cookie = admin.cookie) =>
    t.request({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, cookie },
    });
  const people = async () =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM employee'))[0].n as number;

  it('imports the uploaded file and goes back to the list, which says what changed', async () => {
    const res = await upload(
      '/admin/employees/import',
      multipart(
        { _csrf: admin.csrf },
        { name: 'people.csv', text: 'email,name\nola@example.com,Ola\npia@example.com,Pia\n' },
      ),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/employees?imported=2%2C0%2C0&cancelled=0');
    const list = await t.request({
      method: 'GET',
      url: res.headers.location as string,
      headers: { cookie: admin.cookie },
    });
    expect(list.body).toContain('Imported: 2 added, 0 updated, 0 deactivated.');
    expect(list.body).toContain('ola@example.com');
  });

  it('refuses an upload without the CSRF token, a missing file, and bodies it cannot read', async () => {
    const before = await people();
    const file = { name: 'x.csv', text: 'email,name\nqed@example.com,Q\n' };
    expect((await upload('/admin/employees/import', multipart({}, file))).statusCode).toBe(403);
    const none = await upload('/admin/employees/import', multipart({ _csrf: admin.csrf }));
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose a CSV file to import');
    const broken = await upload(
      '/admin/employees/import',
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n`),
    );
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toContain('The form could not be read');
    // Up to the CSV cap on the import, the usual cap anywhere else.
    const big = 'email,name\n' + 'a'.repeat(11 * 1024 * 1024);
    const over = await upload(
      '/admin/employees/import',
      multipart({ _csrf: admin.csrf }, { name: 'big.csv', text: big }),
    );
    expect(over.statusCode).toBe(413);
    const elsewhere = await upload(
      '/admin/users',
      multipart({ _csrf: admin.csrf, pad: 'a'.repeat(300 * 1024) }),
    );
    expect(elsewhere.statusCode).toBe(413);
    // Any other route refuses the content type, as it did before the import page took files.
    const small = await upload('/admin/users', multipart({ _csrf: admin.csrf, email: 'a@b.c' }));
    expect(small.statusCode).toBe(415);
    expect(await people()).toBe(before);
  });
});
