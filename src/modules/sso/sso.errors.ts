import { featureErrors } from '../../common/errors/domain-error';

/**
 * Every code this feature answers with. The sign-in refusals (`sso.` codes from the callback)
 * each have a page of their own (`sso.refused.<reason>` in the catalogues) and an audit entry.
 */
export const SSO_ERROR_CODES = [
  'sso.not_configured',
  'sso.provider_error',
  'sso.state_invalid',
  'sso.state_expired',
  'sso.token_invalid',
  'sso.email_unverified',
  'sso.no_mapping',
  'sso.no_account',
  'sso.account_disabled',
  'sso.break_glass',
  'sso.email_reassigned',
  'sso.rule_invalid',
  'sso.break_glass_required',
] as const;
export type SsoErrorCode = (typeof SSO_ERROR_CODES)[number];
const error = featureErrors(SSO_ERROR_CODES);

/** Why a sign-in through the provider was refused: the suffix of its code and of its page. */
export type SsoRefusal =
  | 'provider_error'
  | 'state_invalid'
  | 'state_expired'
  | 'token_invalid'
  | 'email_unverified'
  | 'no_mapping'
  | 'no_account'
  | 'account_disabled'
  | 'break_glass'
  | 'email_reassigned';

export const SsoErrors = {
  notConfigured: () =>
    error('not_found', 'sso.not_configured', 'Sign-in through an identity provider is not set up.'),
  providerError: (detail: string) =>
    error('invalid', 'sso.provider_error', 'The identity provider did not complete the sign-in.', {
      detail,
    }),
  stateInvalid: () =>
    error(
      'invalid',
      'sso.state_invalid',
      'This sign-in answer is unknown, was already used, or was started in another browser.',
    ),
  stateExpired: () =>
    error('gone', 'sso.state_expired', 'This sign-in took too long and has expired.'),
  tokenInvalid: (detail: string) =>
    error('invalid', 'sso.token_invalid', 'The identity token could not be verified.', {
      detail,
    }),
  emailUnverified: () =>
    error(
      'forbidden',
      'sso.email_unverified',
      'The identity provider does not vouch for this e-mail address (email_verified is not true).',
    ),
  noMapping: () =>
    error(
      'forbidden',
      'sso.no_mapping',
      'None of your groups gives access to inpulse. Ask HR to add you to a mapped group.',
    ),
  noAccount: () =>
    error(
      'forbidden',
      'sso.no_account',
      'There is no inpulse account for this address, and accounts are not created on sign-in.',
    ),
  accountDisabled: () =>
    error('forbidden', 'sso.account_disabled', 'This inpulse account is disabled.'),
  breakGlass: () =>
    error(
      'forbidden',
      'sso.break_glass',
      'The break-glass administrator signs in with its password only, never through the identity provider.',
    ),
  emailReassigned: () =>
    error(
      'forbidden',
      'sso.email_reassigned',
      'This address belongs to an inpulse account of another person at the identity provider.',
    ),
  ruleInvalid: (message: string) => error('invalid', 'sso.rule_invalid', message),
  breakGlassRequired: () =>
    error(
      'invalid',
      'sso.break_glass_required',
      'Choose a break-glass administrator (an active admin) before turning SSO only on.',
    ),
};
