import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_ERROR_CODES } from '../../src/common/errors/domain-error';
import { ACCOUNT_ERROR_CODES } from '../../src/modules/accounts/accounts.errors';
import { ACTION_ERROR_CODES } from '../../src/modules/actions/actions.errors';
import { CAMPAIGN_ERROR_CODES } from '../../src/modules/campaigns/campaigns.errors';
import { DIGEST_ERROR_CODES } from '../../src/modules/digest/digest.errors';
import { DIRECTORY_ERROR_CODES } from '../../src/modules/directory/directory.errors';
import { EMPLOYEE_ERROR_CODES } from '../../src/modules/employees/employees.errors';
import { FATIGUE_ERROR_CODES } from '../../src/modules/fatigue/fatigue.errors';
import { HRIS_SYNC_ERROR_CODES } from '../../src/modules/hris-sync/hris-sync.errors';
import { INVITATION_ERROR_CODES } from '../../src/modules/invitations/invitations.errors';
import { MAIL_ERROR_CODES } from '../../src/modules/mail/mail.errors';
import { RESPONSE_ERROR_CODES } from '../../src/modules/responses/responses.errors';
import { REVIEW_ERROR_CODES } from '../../src/modules/reviews/reviews.errors';
import { SCIM_ERROR_CODES } from '../../src/modules/scim/scim.errors';
import { SERVICES_ERROR_CODES } from '../../src/modules/services/services.errors';
import { SSO_ERROR_CODES } from '../../src/modules/sso/sso.errors';
import { SURVEY_ERROR_CODES } from '../../src/modules/surveys/surveys.errors';
import { TEAM_ERROR_CODES } from '../../src/modules/teams/teams.errors';
import { TICKET_ERROR_CODES } from '../../src/modules/tickets/tickets.errors';
import { ROOT, sourceFiles } from './sql-tables';

/**
 * One way from a domain error to what a person sees (STYLE.md): each feature's errors are made in
 * its `<feature>.errors.ts` from one code list, so a code is a known, stable name; one mapping
 * (STATUS_OF_KIND, used by the error filter and by showDomainErrors for pages that show an error
 * on their own form) gives its status. Codes are an API contract, so existing ones stay as they
 * are; a new one takes its feature's prefix.
 */
const LISTS: Record<string, readonly string[]> = {
  common: COMMON_ERROR_CODES,
  accounts: ACCOUNT_ERROR_CODES,
  actions: ACTION_ERROR_CODES,
  campaigns: CAMPAIGN_ERROR_CODES,
  digest: DIGEST_ERROR_CODES,
  directory: DIRECTORY_ERROR_CODES,
  employees: EMPLOYEE_ERROR_CODES,
  fatigue: FATIGUE_ERROR_CODES,
  'hris-sync': HRIS_SYNC_ERROR_CODES,
  invitations: INVITATION_ERROR_CODES,
  mail: MAIL_ERROR_CODES,
  responses: RESPONSE_ERROR_CODES,
  reviews: REVIEW_ERROR_CODES,
  scim: SCIM_ERROR_CODES,
  services: SERVICES_ERROR_CODES,
  sso: SSO_ERROR_CODES,
  surveys: SURVEY_ERROR_CODES,
  teams: TEAM_ERROR_CODES,
  tickets: TICKET_ERROR_CODES,
};

/** Codes under a prefix another feature owns, kept because API clients already rely on them. */
const BORROWED_PREFIX: Record<string, string> = {
  'survey.audience_too_small':
    'invitations refuses a send to fewer than m people; named so since surveys were sent by API',
  'survey.answer_too_large': 'responses refuses an oversized answer; the survey page shows it',
};

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const prefixOf = (code: string) => code.split('.')[0];

describe('domain errors', () => {
  it('gives every code to one feature', () => {
    const all = Object.values(LISTS).flat();
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });

  it('gives every prefix to one feature (apart from codes API clients already rely on)', () => {
    const owners = new Map<string, Set<string>>();
    for (const [feature, codes] of Object.entries(LISTS))
      for (const code of codes.filter((c) => !BORROWED_PREFIX[c])) {
        const set = owners.get(prefixOf(code)) ?? new Set<string>();
        owners.set(prefixOf(code), set.add(feature));
      }
    const shared = [...owners].filter(([, features]) => features.size > 1);
    expect(shared).toEqual([]);
    for (const code of Object.keys(BORROWED_PREFIX))
      expect(Object.values(LISTS).flat()).toContain(code);
  });

  it('has a code list in every feature that makes errors', () => {
    const files = sourceFiles().filter((f) => f.endsWith('.errors.ts'));
    const features = files.map((f) => f.split('/')[2]).sort();
    expect(features).toEqual(
      Object.keys(LISTS)
        .filter((f) => f !== 'common')
        .sort(),
    );
    for (const file of files) expect(read(file)).toMatch(/export const \w+_ERROR_CODES = \[/);
  });

  it('makes domain errors only from the code lists (and in src/common)', () => {
    const elsewhere = sourceFiles().filter(
      (f) => !f.startsWith('src/common/') && read(f).includes('new DomainError('),
    );
    expect(elsewhere).toEqual([]);
  });

  it('leaves a domain error on a page to showDomainErrors or the error filter', () => {
    const byHand = sourceFiles().filter(
      (f) => f.endsWith('controller.ts') && read(f).includes('instanceof DomainError'),
    );
    expect(byHand).toEqual([]);
  });
});
