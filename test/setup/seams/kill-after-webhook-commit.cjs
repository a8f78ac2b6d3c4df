/* eslint-disable @typescript-eslint/no-require-imports -- loaded by node --require, as CommonJS */
/* global require -- CommonJS, run by node itself */
/**
 * A test seam, never part of the app: loaded into the built app with `node --require` by
 * test/process/webhook-crash.spec.ts only. It wraps the webhook service so that the process kills
 * itself (SIGKILL) once a delivery's transaction has committed and before the reply goes: the
 * sender sees no answer and retries.
 */
const { join } = require('node:path');

const { TicketWebhooksService } = require(
  join(process.cwd(), 'dist', 'src', 'modules', 'tickets', 'ticket-webhooks.service.js'),
);
const receive = TicketWebhooksService.prototype.receive;
TicketWebhooksService.prototype.receive = async function killedAfterCommit(...args) {
  const result = await receive.apply(this, args);
  if (result.status !== 'ignored') {
    process.stderr.write('test seam: ending the process after the webhook committed\n');
    process.kill(process.pid, 'SIGKILL');
  }
  return result;
};
