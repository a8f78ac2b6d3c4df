import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const HRIS_SYNC_ERROR_CODES = [
  'hris_sync.bad_settings',
  'hris_sync.not_configured',
  'hris_sync.source_refused',
  'hris_sync.source_unreadable',
  'hris_sync.file_rejected',
  'hris_sync.run_not_found',
  'hris_sync.file_changed',
] as const;
export type HrisSyncErrorCode = (typeof HRIS_SYNC_ERROR_CODES)[number];
const error = featureErrors(HRIS_SYNC_ERROR_CODES);

export const HrisSyncErrors = {
  badSettings: (problems: string[]) =>
    error(
      'invalid',
      'hris_sync.bad_settings',
      `The sync settings were not saved: ${problems.join('; ')}.`,
      { problems },
    ),
  notConfigured: () =>
    error(
      'invalid',
      'hris_sync.not_configured',
      'Set the file, its format and the column of each field first.',
    ),
  sourceRefused: (reason: string) =>
    error('invalid', 'hris_sync.source_refused', `The file's location is refused: ${reason}.`),
  sourceUnreadable: (reason: string) =>
    error('invalid', 'hris_sync.source_unreadable', `The file could not be read: ${reason}.`),
  fileRejected: (reason: string) =>
    error('invalid', 'hris_sync.file_rejected', `Nothing was synced: ${reason}.`),
  runNotFound: () =>
    error('not_found', 'hris_sync.run_not_found', 'No stopped sync run with this id.'),
  fileChanged: () =>
    error(
      'conflict',
      'hris_sync.file_changed',
      'The file has changed since this run was stopped: run a dry run of the new file.',
    ),
};
