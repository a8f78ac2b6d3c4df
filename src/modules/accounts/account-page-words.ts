import type { ProblemWording } from '../../common/i18n/form-problems';

const c = (key: string) => `errors.codes.${key}`;

/**
 * The problems the account checks give as `account.invalid` (accounts.service.ts,
 * sessions.service.ts, api-tokens.service.ts), worded on the account and admin pages.
 */
const ACCOUNT_RULES = [
  { pattern: /^The current password is not right\.$/, key: c('account.current_password') },
  { pattern: /^"(?<email>[^"]*)" is not a valid e-mail address\.$/, key: c('account.bad_email') },
  { pattern: /^The name must be (?<min>\d+)–(?<max>\d+) characters/, key: c('account.bad_name') },
  { pattern: /^role must be one of /, key: c('account.bad_role') },
  { pattern: /^No team "(?<slug>[^"]*)"\.$/, key: c('account.no_team') },
  {
    pattern: /^The token name must be (?<min>\d+)–(?<max>\d+) characters\.$/,
    key: c('api_token.bad_name'),
  },
  { pattern: /^Choose at least one scope among /, key: c('api_token.no_scope') },
];

export const ACCOUNT_WORDING: ProblemWording = {
  rules: ACCOUNT_RULES,
  field: () => undefined,
  english: (problem) => problem,
};
