import { parseMultipartForm } from './multipart';

const TYPE = 'multipart/form-data; boundary=----inpulseXyz';

/** A body as browsers frame it: CRLF lines, `--boundary` before each part, `--boundary--` last. */
function body(...parts: string[]): Buffer {
  return Buffer.from(
    `${parts.map((p) => `------inpulseXyz\r\n${p}\r\n`).join('')}------inpulseXyz--\r\n`,
    'utf8',
  );
}

describe('parseMultipartForm', () => {
  it('reads text fields and a file, its bytes as UTF-8 text, line breaks and all', async () => {
    const form = await parseMultipartForm(
      body(
        'Content-Disposition: form-data; name="_csrf"\r\n\r\nabc',
        'Content-Disposition: form-data; name="note"\r\n\r\nGarcía 日本',
        'Content-Disposition: form-data; name="file"; filename="people.csv"\r\nContent-Type: text/csv\r\n\r\nemail,name\r\nana@example.com,"Ana, García"\r\n',
      ),
      TYPE,
    );
    expect(form).toEqual({
      _csrf: 'abc',
      note: 'García 日本',
      file: {
        filename: 'people.csv',
        contentType: 'text/csv',
        text: 'email,name\r\nana@example.com,"Ana, García"\r\n',
      },
    });
  });

  it('takes a quoted boundary, an empty file and a repeated field', async () => {
    const form = await parseMultipartForm(
      body(
        'Content-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n',
        'Content-Disposition: form-data; name="teams"\r\n\r\na',
        'Content-Disposition: form-data; name="teams"\r\n\r\nb',
      ),
      'multipart/form-data; boundary="----inpulseXyz"',
    );
    expect(form).toEqual({
      file: { filename: '', contentType: 'application/octet-stream', text: '' },
      teams: ['a', 'b'],
    });
  });

  it('refuses what is not a well-framed form with a 400 that says why', async () => {
    const cases: [Buffer, string | undefined, RegExp][] = [
      [
        body('Content-Disposition: form-data; name="a"\r\n\r\n1'),
        'multipart/form-data',
        /no boundary/,
      ],
      [Buffer.from('nothing here'), TYPE, /ends before its closing boundary/],
      [
        Buffer.from('------inpulseXyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1'),
        TYPE,
        /ends before/,
      ],
      [
        body(
          ...Array.from(
            { length: 21 },
            (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\nx`,
          ),
        ),
        TYPE,
        /more than 20 parts/,
      ],
    ];
    for (const [raw, type, why] of cases) {
      let thrown: unknown;
      try {
        await parseMultipartForm(raw, type);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ statusCode: 400, message: expect.stringMatching(why) });
    }
  });

  it('reads nothing from parts that are not named form fields (the page then says no file came)', async () => {
    expect(
      await parseMultipartForm(body('Content-Disposition: attachment; name="a"\r\n\r\n1'), TYPE),
    ).toEqual({});
    expect(await parseMultipartForm(body('no headers at all'), TYPE)).toEqual({});
  });
});
