import { inFormWords } from './field-labels';

describe('inFormWords', () => {
  const labels = {
    openDays: 'days open',
    reportingThreshold: 'reporting threshold k',
    'audience.includeEmails': '“Also invite”',
    questionnaireId: 'custom questionnaire',
    mappingRules: (n?: number) => (n === undefined ? 'mapping rules' : `mapping rule ${n}`),
    name: 'name',
  };

  it('names the form’s fields where the API named its own, and starts with a capital', () => {
    expect(inFormWords('openDays must be a whole number of days from 1 to 90', labels)).toBe(
      'Days open must be a whole number of days from 1 to 90',
    );
    expect(
      inFormWords('give either a template or a questionnaireId (a custom questionnaire)', labels),
    ).toBe('Give either a template or a custom questionnaire (a custom questionnaire)');
    expect(inFormWords('audience.includeEmails has more than 500 entries', labels)).toBe(
      '“Also invite” has more than 500 entries',
    );
    expect(inFormWords('mappingRules[2]: match must have 1 to 200 characters', labels)).toBe(
      'Mapping rule 3: match must have 1 to 200 characters',
    );
    expect(inFormWords('mappingRules: at most 200 rules', labels)).toBe(
      'Mapping rules: at most 200 rules',
    );
  });

  it('leaves words that only contain a field name, and messages with none, as they are', () => {
    expect(inFormWords('the campaign name is taken; rename it', labels)).toBe(
      'The campaign name is taken; rename it',
    );
    expect(inFormWords('openDaysX and xopenDays and a.openDays stay', labels)).toBe(
      'OpenDaysX and xopenDays and a.openDays stay',
    );
    expect(inFormWords('reminder 1 (day 9) must come before the wave closes (day 7)', {})).toBe(
      'Reminder 1 (day 9) must come before the wave closes (day 7)',
    );
  });
});
