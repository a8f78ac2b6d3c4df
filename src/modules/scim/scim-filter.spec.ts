import { DomainError } from '../../common/errors/domain-error';
import { parseScimFilter } from './scim-filter';

const USERS = {
  username: 'string',
  externalid: 'string',
  'emails.value': 'string',
  id: 'string',
  active: 'boolean',
} as const;

function refusal(expression: string): string {
  try {
    parseScimFilter(expression, USERS);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).details).toEqual({ scimType: 'invalidFilter' });
    return (error as DomainError).message;
  }
  throw new Error(`accepted: ${expression}`);
}

describe('SCIM filters', () => {
  it('reads the comparisons identity providers send', () => {
    expect(parseScimFilter('userName eq "Ana@Example.com"', USERS)).toEqual([
      { username: 'Ana@Example.com' },
    ]);
    expect(parseScimFilter('externalId eq "00u1"', USERS)).toEqual([{ externalid: '00u1' }]);
    expect(parseScimFilter('emails[type eq "work"].value eq "a@b.co"', USERS)).toEqual([
      { 'emails.value': 'a@b.co' },
    ]);
    expect(parseScimFilter('emails.value eq "a@b.co"', USERS)).toEqual([
      { 'emails.value': 'a@b.co' },
    ]);
  });

  it('joins with and / or', () => {
    expect(
      parseScimFilter('userName eq "a@b.co" and active eq true or externalId eq "x"', USERS),
    ).toEqual([{ username: 'a@b.co', active: true }, { externalid: 'x' }]);
  });

  it('leaves out branches that can match nothing', () => {
    expect(parseScimFilter('emails[type eq "home"].value eq "a@b.co"', USERS)).toEqual([]);
  });

  it('refuses what it cannot answer, saying what is supported', () => {
    expect(refusal('userName eq')).toMatch(/compared with nothing/);
    expect(refusal('userName co "a"')).toMatch(/Only the operator eq/);
    expect(refusal('title eq "x"')).toMatch(/"title" cannot be filtered on.*username eq/);
    expect(refusal('((')).toMatch(/cannot be read/);
    expect(refusal('userName eq "a" and not (active eq false)')).toMatch(/Only the operator eq/);
    expect(refusal('active eq "yes"')).toMatch(/takes a boolean/);
    expect(refusal('')).toMatch(/empty/);
    expect(refusal(`userName eq "${'a'.repeat(1001)}"`)).toMatch(/longer than/);
    expect(refusal('userName eq "a" and userName eq "b"')).toMatch(/more than once/);
  });

  it('keeps a hostile value a plain string (the query binds it as a parameter)', () => {
    expect(parseScimFilter(`userName eq "x' OR 1=1 --"`, USERS)).toEqual([
      { username: "x' OR 1=1 --" },
    ]);
  });
});
