import {
  changedParts,
  channelLabel,
  channelValueProblem,
  purposeFor,
  readProfile,
  type TeamProfile,
} from './team-profile';

const PROFILE: TeamProfile = {
  purpose: { en: { handles: 'Laptops', excludes: '' } },
  profileLocale: 'en',
  timeZone: 'Europe/Madrid',
  openingHours: [{ day: 1, opens: '09:00', closes: '17:00' }],
  hoursExceptions: [{ date: '2026-12-25', label: 'Christmas Day', closed: true }],
  contactChannels: [{ kind: 'email', value: 'it@example.com', label: { en: 'Mail us' } }],
  firstResponseTargetMinutes: 60,
  resolutionTargetMinutes: null,
};

describe('readProfile', () => {
  it('keeps a good profile, trimmed and in order', () => {
    const { profile, problems } = readProfile({
      ...PROFILE,
      purpose: { en: { handles: '  Laptops  ', excludes: '' } },
      openingHours: [
        { day: 2, opens: '09:00', closes: '17:00' },
        { day: 1, opens: '14:00', closes: '17:00' },
        { day: 1, opens: '09:00', closes: '13:00' },
      ],
    });
    expect(problems).toEqual([]);
    expect(profile?.purpose.en.handles).toBe('Laptops');
    expect(profile?.openingHours.map((h) => `${h.day} ${h.opens}`)).toEqual([
      '1 09:00',
      '1 14:00',
      '2 09:00',
    ]);
  });

  it('lists every problem at once, each naming its field', () => {
    const { profile, problems } = readProfile({
      ...PROFILE,
      timeZone: 'Nowhere/City',
      openingHours: [{ day: 0, opens: '9', closes: '17:00' }],
      contactChannels: [{ kind: 'portal', value: 'javascript:alert(1)' }],
      resolutionTargetMinutes: 0,
    });
    expect(profile).toBeUndefined();
    expect(problems).toEqual([
      expect.stringMatching(/^timeZone /),
      expect.stringMatching(/^openingHours\[0\]: day/),
      expect.stringMatching(/^openingHours\[0\]: opens must be a time/),
      expect.stringMatching(/^contactChannels\[0\]: must be an https:\/\/ or http:\/\//),
      expect.stringMatching(/^resolutionTargetMinutes /),
    ]);
  });

  it('refuses a key that would reach the prototype, and control characters', () => {
    const hostile = JSON.parse(
      '{"purpose":{"__proto__":{"handles":"x","excludes":""}},"profileLocale":"en","timeZone":"UTC"}',
    );
    expect(readProfile(hostile).problems).toEqual([expect.stringMatching(/purpose\.__proto__/)]);
    expect(
      readProfile({ ...PROFILE, purpose: { en: { handles: 'a\u0000b', excludes: '' } } }).problems,
    ).toEqual([expect.stringMatching(/control characters/)]);
  });
});

describe('readProfile and bidi controls', () => {
  it.each([
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
  ])('refuses U+%s in a channel value and a purpose, naming the field', (control) => {
    const { profile, problems } = readProfile({
      ...PROFILE,
      purpose: { en: { handles: `Laptops ${control}sdrawkcab`, excludes: '' } },
      contactChannels: [{ kind: 'desk', value: `Floor ${control}2 ksed` }],
    });
    expect(profile).toBeUndefined();
    expect(problems).toEqual([
      expect.stringMatching(/^purpose\.en\.handles must not contain bidi/),
      expect.stringMatching(/^contactChannels\[0\]: value must not contain bidi/),
    ]);
  });

  it('keeps the marks LRM and RLM, which Persian text needs', () => {
    const { profile, problems } = readProfile({
      ...PROFILE,
      purpose: { fa: { handles: 'لپ‌تاپ \u200eVPN\u200f و ایمیل', excludes: '' } },
      profileLocale: 'fa',
    });
    expect(problems).toEqual([]);
    expect(profile?.purpose.fa.handles).toContain('\u200e');
  });
});

describe('channelValueProblem', () => {
  it.each([
    ['email', 'it-help@example.com', true],
    ['email', 'it-help@example', false],
    ['email', 'a b@example.com', false],
    ['phone', '+34 (91) 000-00.00', true],
    ['phone', '12', false],
    ['phone', 'call me', false],
    ['portal', 'https://help.example.com/x?y=1', true],
    ['chat', 'http://chat.internal', true],
    ['portal', 'javascript:alert(1)', false],
    ['portal', 'JAVASCRIPT:alert(1)', false],
    ['chat', 'data:text/html,<script>', false],
    ['portal', 'https://user:pass@example.com', false],
    ['portal', 'help.example.com', false],
    ['desk', 'Floor 2, by the lifts', true],
  ] as const)('%s %s → %s', (kind, value, ok) => {
    expect(channelValueProblem(kind, value) === undefined).toBe(ok);
  });
});

describe('changedParts', () => {
  it('names the parts that differ, whatever the order of keys (jsonb reorders them)', () => {
    const reordered = JSON.parse(
      JSON.stringify({
        ...PROFILE,
        contactChannels: [{ label: { en: 'Mail us' }, value: 'it@example.com', kind: 'email' }],
      }),
    ) as TeamProfile;
    expect(changedParts(PROFILE, reordered)).toEqual([]);
    expect(
      changedParts(PROFILE, { ...PROFILE, timeZone: 'Asia/Tehran', openingHours: [] }),
    ).toEqual(['timeZone', 'openingHours']);
  });
});

describe('purposeFor and channelLabel', () => {
  const team = {
    purpose: { es: { handles: 'Accesos', excludes: '' }, en: { handles: 'Access', excludes: '' } },
    profileLocale: 'es',
  };
  it("gives the reader's language, else the profile's, marked", () => {
    expect(purposeFor(team, 'en')).toEqual({
      handles: 'Access',
      excludes: '',
      locale: 'en',
      translated: true,
    });
    expect(purposeFor(team, 'fa')).toEqual({
      handles: 'Accesos',
      excludes: '',
      locale: 'es',
      translated: false,
    });
    expect(purposeFor({ purpose: {}, profileLocale: 'en' }, 'en')).toBeUndefined();
    const channel = {
      kind: 'portal' as const,
      value: 'https://x.example',
      label: { es: 'Portal' },
    };
    expect(channelLabel(channel, 'ja', 'es')).toEqual({ text: 'Portal', locale: 'es' });
    expect(channelLabel({ kind: 'desk', value: 'x' }, 'ja', 'es')).toBeUndefined();
  });
});
