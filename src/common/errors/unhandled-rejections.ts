import { Logger } from '@nestjs/common';
import { connectionErrorLabel } from '../../database/db-errors';

/**
 * The last line of defence: a promise that fails with nobody waiting for it is logged, and the
 * process carries on. Node's default is to end the process, which turned a few seconds without
 * the database into a crash: pg-boss does not wait for the statement that marks a job done or
 * failed, so when the database is away that statement's failure surfaces here. Connection
 * failures are one warning line; anything else is a bug and is logged as an error with its stack.
 */
export function logUnhandledRejections(target: NodeJS.EventEmitter = process): void {
  const logger = new Logger('Process');
  target.on('unhandledRejection', (reason: unknown) => {
    const unreachable = connectionErrorLabel(reason);
    if (unreachable !== undefined) {
      logger.warn(`a database call nobody awaited failed: database unreachable (${unreachable})`);
      return;
    }
    logger.error(
      `unhandled promise rejection (a bug; the process carries on): ${
        reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)
      }`,
    );
  });
}
