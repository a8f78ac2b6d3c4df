import { DomainError } from '../../common/errors/domain-error';

export const AccountErrors = {
  badCredentials: () =>
    new DomainError('unauthorized', 'auth.bad_credentials', 'The e-mail or password is not right.'),
  loginRequired: () => new DomainError('unauthorized', 'auth.login_required', 'Please sign in.'),
  badCsrf: () =>
    new DomainError(
      'forbidden',
      'auth.csrf',
      'The form has expired or was not sent from this site. Reload the page and try again.',
    ),
  crossSite: () =>
    new DomainError(
      'forbidden',
      'auth.cross_site',
      'This form was sent from another site, so nothing was done. Open inpulse yourself and try again.',
    ),
  forbidden: () =>
    new DomainError('forbidden', 'auth.forbidden', 'You are not allowed to do this.'),
  invalid: (message: string) => new DomainError('invalid', 'account.invalid', message),
  emailTaken: (email: string) =>
    new DomainError('conflict', 'account.email_taken', `An account for ${email} already exists.`),
  userNotFound: () => new DomainError('not_found', 'account.not_found', 'No such user.'),
  linkInvalid: () =>
    new DomainError(
      'gone',
      'account.link_invalid',
      'This link has expired or was already used. Ask an administrator for a new one.',
    ),
  tokenNotFound: () =>
    new DomainError('not_found', 'api_token.not_found', 'No such live API token.'),
  lastAdmin: () =>
    new DomainError(
      'conflict',
      'account.last_admin',
      'This is the last active administrator; make someone else admin first.',
    ),
};
