import { inFormWords } from '../../common/http/field-labels';
import { ACTION_FIELD_LABELS, checkActionPatch, readActionForm } from './action-input';

describe('action input', () => {
  const valid = { heard: 'We heard this.', planned: 'We will do that.', locale: 'en' };

  it('accepts a complete action and trims its texts', () => {
    const { patch, problems } = checkActionPatch(
      { ...valid, heard: '  We heard this.\r\nTwice.  ', dueOn: '2028-02-29', published: true },
      true,
    );
    expect(problems).toEqual([]);
    expect(patch).toMatchObject({ heard: 'We heard this.\nTwice.', dueOn: '2028-02-29' });
  });

  it('names every problem by its field, all at once', () => {
    const { problems } = checkActionPatch(
      {
        heard: 'x',
        locale: 'de',
        dueOn: '2027-02-29',
        status: 'finished',
        translations: { es: { heard: 'Solo' }, xx: { heard: 'a', planned: 'b' } },
        ownerId: 'me',
        extra: 1,
      },
      true,
    );
    expect(problems).toEqual([
      expect.stringContaining('unknown field(s) extra'),
      'heard must be 2 to 500 characters (got 1)',
      'planned is required',
      'locale must be one of en, es, ja, fa',
      'translations.es.planned is required when a translation into es is given',
      expect.stringContaining('translations: "xx" is not one of'),
      'ownerId must be the id of a person with an account, or null',
      'dueOn "2027-02-29" does not exist: February 2027 has 28 days',
      'status must be one of planned, in_progress, done, dropped',
    ]);
  });

  it('counts characters, not UTF-16 units, against the bounds', () => {
    expect(checkActionPatch({ ...valid, heard: '😀'.repeat(500) }, true).problems).toEqual([]);
    expect(checkActionPatch({ ...valid, heard: '😀'.repeat(501) }, true).problems).toHaveLength(1);
  });

  it('reads the form: empty translations are none, one text alone is a problem', () => {
    const raw = readActionForm(
      {
        ...valid,
        status: 'done',
        published: 'yes',
        tr_es_heard: '',
        tr_es_planned: '',
        tr_fa_heard: 'شنیدیم',
      },
      true,
    );
    expect(raw).toMatchObject({ published: true, translations: { fa: { heard: 'شنیدیم' } } });
    expect(checkActionPatch(raw, true).problems).toEqual([
      'translations.fa.planned is required when a translation into fa is given',
    ]);
  });

  it('ignores the form’s done date unless the action is done', () => {
    const raw = readActionForm({ ...valid, status: 'in_progress', doneOn: '2026-11-02' }, false);
    expect(raw.doneOn).toBeUndefined();
    expect(checkActionPatch(raw, false).problems).toEqual([]);
  });

  it('words field names as the form labels them', () => {
    expect(inFormWords('translations.fa.planned is required', ACTION_FIELD_LABELS)).toBe(
      'Persian translation of what we will do is required',
    );
    expect(inFormWords('dueOn must be a date', ACTION_FIELD_LABELS)).toBe(
      'Due date must be a date',
    );
  });

  it.each(['\u202a', '\u202e', '\u2066', '\u2069'])(
    'refuses bidi override and isolate controls (%#) in texts and translations, naming the field',
    (control) => {
      const { problems } = checkActionPatch(
        {
          heard: `We heard ${control}x`,
          planned: 'We do y',
          locale: 'en',
          translations: { fa: { heard: 'شنیدیم', planned: `انجام ${control}می‌دهیم` } },
        },
        true,
      );
      expect(problems).toEqual([
        expect.stringMatching(/^heard contains bidi/),
        expect.stringMatching(/^translations\.fa\.planned contains bidi/),
      ]);
    },
  );

  it('keeps LRM and RLM in a Persian text', () => {
    const { patch, problems } = checkActionPatch(
      { heard: 'شنیدیم \u200eVPN\u200f کند است', planned: 'سرور جدید', locale: 'fa' },
      true,
    );
    expect(problems).toEqual([]);
    expect(patch.heard).toContain('\u200e');
  });
});
