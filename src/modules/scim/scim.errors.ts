import { featureErrors } from '../../common/errors/domain-error';

/**
 * Every code this feature answers with. `details.scimType` is the `scimType` of the SCIM error
 * body (RFC 7644 §3.12), which the error filter writes for requests under /scim.
 */
export const SCIM_ERROR_CODES = [
  'scim.invalid_filter',
  'scim.invalid_syntax',
  'scim.invalid_value',
  'scim.invalid_path',
  'scim.no_target',
  'scim.mutability',
  'scim.too_many',
  'scim.uniqueness',
  'scim.not_found',
  'scim.precondition_failed',
  'scim.unsupported_media_type',
] as const;
export type ScimErrorCode = (typeof SCIM_ERROR_CODES)[number];
const error = featureErrors(SCIM_ERROR_CODES);

/** The codes of scimmy's SCIMError.scimType, and ours for each. */
const BY_SCIM_TYPE: Record<string, ScimErrorCode> = {
  invalidFilter: 'scim.invalid_filter',
  invalidSyntax: 'scim.invalid_syntax',
  invalidValue: 'scim.invalid_value',
  invalidPath: 'scim.invalid_path',
  noTarget: 'scim.no_target',
  mutability: 'scim.mutability',
  tooMany: 'scim.too_many',
  uniqueness: 'scim.uniqueness',
};

export const ScimErrors = {
  invalidFilter: (message: string) =>
    error('invalid', 'scim.invalid_filter', message, { scimType: 'invalidFilter' }),
  invalidSyntax: (message: string) =>
    error('invalid', 'scim.invalid_syntax', message, { scimType: 'invalidSyntax' }),
  invalidValue: (message: string) =>
    error('invalid', 'scim.invalid_value', message, { scimType: 'invalidValue' }),
  uniqueness: (message: string) =>
    error('conflict', 'scim.uniqueness', message, { scimType: 'uniqueness' }),
  notFound: (what: string, id: string) =>
    error('not_found', 'scim.not_found', `No ${what} with id ${id.slice(0, 100)}.`),
  preconditionFailed: (current: string) =>
    error(
      'precondition_failed',
      'scim.precondition_failed',
      `The resource has changed: its version is now ${current}. Read it again and retry.`,
    ),
  unsupportedMediaType: (given: string | undefined) =>
    error(
      'unsupported_media_type',
      'scim.unsupported_media_type',
      `Send the body as application/scim+json (or application/json), not ${given ? given.slice(0, 80) : 'without a content type'}.`,
      { scimType: 'invalidSyntax' },
    ),
  /**
   * An error thrown by scimmy (a SCIMError with status and scimType, or the TypeError its type
   * checks throw) as ours; undefined for anything else.
   */
  fromLibrary(exception: unknown) {
    if (!(exception instanceof Error)) return undefined;
    const { status, scimType } = exception as { status?: unknown; scimType?: unknown };
    if (exception instanceof TypeError && status === undefined)
      return ScimErrors.invalidValue(exception.message);
    if (typeof status !== 'number' && typeof status !== 'string') return undefined;
    const code = typeof scimType === 'string' ? BY_SCIM_TYPE[scimType] : undefined;
    if (Number(status) === 404) return error('not_found', 'scim.not_found', exception.message);
    if (Number(status) === 409)
      return error('conflict', code ?? 'scim.uniqueness', exception.message, {
        scimType: scimType ?? 'uniqueness',
      });
    if (Number(status) >= 400 && Number(status) < 500)
      return error('invalid', code ?? 'scim.invalid_syntax', exception.message, {
        scimType: scimType ?? 'invalidSyntax',
      });
    return undefined;
  },
};
