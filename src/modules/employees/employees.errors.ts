import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const EMPLOYEE_ERROR_CODES = [
  'employees.address_on_hold',
  'employees.bad_address',
  'employees.bad_form',
  'employees.link_unusable',
  'employees.survey_not_open',
] as const;
export type EmployeeErrorCode = (typeof EMPLOYEE_ERROR_CODES)[number];
const error = featureErrors(EMPLOYEE_ERROR_CODES);

/** Pages show these in the reader's language: the key under `employees.errors` is the code's tail. */
export const EmployeeErrors = {
  badAddress: () =>
    error(
      'invalid',
      'employees.bad_address',
      'Enter your work e-mail address, like name@example.com.',
    ),
  addressOnHold: () =>
    error(
      'forbidden',
      'employees.address_on_hold',
      'Your address changed lately: links cannot be mailed again for a few days.',
    ),
  badForm: () =>
    error('forbidden', 'employees.bad_form', 'This form has expired. Open the page again.'),
  linkUnusable: () =>
    error('gone', 'employees.link_unusable', 'This link was used already or has expired.'),
  surveyNotOpen: () =>
    error(
      'not_found',
      'employees.survey_not_open',
      'This survey has no link open for you any more.',
    ),
};
