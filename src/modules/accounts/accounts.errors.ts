import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const ACCOUNT_ERROR_CODES = [
  'access.undeclared',
  'account.email_taken',
  'account.invalid',
  'account.last_admin',
  'account.link_invalid',
  'account.not_found',
  'api_token.not_found',
  'auth.bad_credentials',
  'auth.cross_site',
  'auth.csrf',
  'auth.forbidden',
  'auth.login_required',
  'auth.scope_missing',
  'auth.sso_only',
  'auth.token_invalid',
  'auth.token_required',
] as const;
export type AccountErrorCode = (typeof ACCOUNT_ERROR_CODES)[number];
const error = featureErrors(ACCOUNT_ERROR_CODES);

export const AccountErrors = {
  undeclaredAccess: () =>
    error('forbidden', 'access.undeclared', 'This route declares no access rule.'),
  tokenRequired: () =>
    error(
      'unauthorized',
      'auth.token_required',
      'This call needs an API token: send it as "Authorization: Bearer <token>".',
    ),
  tokenInvalid: () =>
    error('unauthorized', 'auth.token_invalid', 'The API token is not valid or has been revoked.'),
  scopeMissing: (scope: string) =>
    error('forbidden', 'auth.scope_missing', `This token does not have the scope "${scope}".`),
  badCredentials: () =>
    error('unauthorized', 'auth.bad_credentials', 'The e-mail or password is not right.'),
  passwordsOff: () =>
    error(
      'forbidden',
      'auth.sso_only',
      'Passwords are turned off here: sign in with your company account.',
    ),
  loginRequired: () => error('unauthorized', 'auth.login_required', 'Please sign in.'),
  badCsrf: () =>
    error(
      'forbidden',
      'auth.csrf',
      'The form has expired or was not sent from this site. Reload the page and try again.',
    ),
  crossSite: () =>
    error(
      'forbidden',
      'auth.cross_site',
      'This form was sent from another site, so nothing was done. Open inpulse yourself and try again.',
    ),
  forbidden: () => error('forbidden', 'auth.forbidden', 'You are not allowed to do this.'),
  invalid: (message: string) => error('invalid', 'account.invalid', message),
  emailTaken: (email: string) =>
    error('conflict', 'account.email_taken', `An account for ${email} already exists.`),
  userNotFound: () => error('not_found', 'account.not_found', 'No such user.'),
  linkInvalid: () =>
    error(
      'gone',
      'account.link_invalid',
      'This link has expired or was already used. Ask an administrator for a new one.',
    ),
  tokenNotFound: () => error('not_found', 'api_token.not_found', 'No such live API token.'),
  lastAdmin: () =>
    error(
      'conflict',
      'account.last_admin',
      'This is the last active administrator; make someone else admin first.',
    ),
};
