/* eslint-disable @typescript-eslint/no-require-imports -- loaded by node --require, as CommonJS */
/* global require -- CommonJS, run by node itself */
/**
 * A test seam, never part of the app: loaded into the built app with `node --require` by
 * test/process/two-workers.spec.ts only. It wraps pg-boss's `work` so that the process writes a
 * line when one of its workers starts a job and when the handler has returned:
 *
 *   job-ledger start <queue> <job id>
 *   job-ledger done <queue> <job id>
 *
 * pg-boss records no worker on a job; this is how the test knows which instance ran what, and
 * that two workers held jobs of one queue at the same time. Nothing else changes.
 */
const Manager = require('pg-boss/src/manager.js');

const work = Manager.prototype.work;
Manager.prototype.work = function ledgeredWork(name, ...args) {
  const at = args.findIndex((arg) => typeof arg === 'function');
  if (at >= 0) {
    const callback = args[at];
    args[at] = async function ledgered(jobs) {
      const list = Array.isArray(jobs) ? jobs : [jobs];
      for (const job of list) process.stdout.write(`job-ledger start ${name} ${job.id}\n`);
      const result = await callback.call(this, jobs);
      for (const job of list) process.stdout.write(`job-ledger done ${name} ${job.id}\n`);
      return result;
    };
  }
  return work.call(this, name, ...args);
};
// pg-boss promotes its manager's functions to the instance by their names.
Object.defineProperty(Manager.prototype.work, 'name', { value: 'work' });
