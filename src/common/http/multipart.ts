import type { FastifyRequest } from 'fastify';

/**
 * Route config (`@RouteConfig(UPLOAD_ROUTE)`) of the page routes that take a file from an HTML
 * form (multipart/form-data): they get the upload cap (app.factory.ts) instead of the usual one.
 * Everywhere else a multipart body is held to the usual cap.
 */
export const UPLOAD_ROUTE = { upload: true } as const;

export function isUploadRoute(config: unknown): boolean {
  return (config as { upload?: boolean } | undefined)?.upload === true;
}

/** A file sent by a form: its name as the browser gave it, its type, its bytes as UTF-8 text. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  text: string;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as UploadedFile).filename === 'string' &&
    typeof (value as UploadedFile).text === 'string'
  );
}

/** More parts than any form of inpulse sends. */
const MAX_PARTS = 20;

/** Thrown from the body parser, before any handler: a client error as Fastify's own are (400). */
const invalid = (why: string) =>
  Object.assign(new Error(`The form could not be read: ${why}.`), { statusCode: 400 });

/** A parameter of a header (`name="file"`, `boundary=abc`), quoted or not. */
function parameter(header: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(
    header,
  );
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

/**
 * A multipart/form-data body (RFC 7578) as a form: text fields as strings, files as
 * UploadedFile; a field sent more than once becomes a list, as urlencoded forms do. The whole
 * body is already in memory (within the route's cap): the only files are CSV imports.
 */
export function parseMultipartForm(
  body: Buffer,
  contentType: string | undefined,
): Record<string, string | UploadedFile | (string | UploadedFile)[]> {
  const boundary = parameter((contentType ?? '').split(';').slice(1).join(';'), 'boundary');
  if (!boundary || boundary.length > 70) throw invalid('no boundary in its content type');
  const delimiter = Buffer.from(`--${boundary}`);
  const form: Record<string, string | UploadedFile | (string | UploadedFile)[]> = {};
  let at = body.indexOf(delimiter);
  if (at < 0) throw invalid('its boundary never occurs');
  let parts = 0;
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return form; // the closing delimiter
    if (body.subarray(at, at + 2).toString() !== '\r\n') throw invalid('a boundary line is broken');
    const start = at + 2;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), start);
    if (next < 0) throw invalid('it ends before its closing boundary');
    if (++parts > MAX_PARTS) throw invalid(`it has more than ${MAX_PARTS} parts`);
    const part = body.subarray(start, next);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw invalid('a part has no headers');
    const headers = part.subarray(0, split).toString('utf8').split('\r\n');
    const header = (name: string) =>
      headers
        .find((h) => h.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const disposition = header('content-disposition') ?? '';
    const name = parameter(disposition, 'name');
    if (!/^form-data\s*(;|$)/i.test(disposition) || name === undefined)
      throw invalid('a part is not a named form field');
    const content = part.subarray(split + 4);
    const filename = parameter(disposition, 'filename');
    const value: string | UploadedFile =
      filename === undefined
        ? content.toString('utf8')
        : {
            filename,
            contentType: header('content-type') ?? 'application/octet-stream',
            text: content.toString('utf8'),
          };
    const had = form[name];
    if (had === undefined) form[name] = value;
    else form[name] = Array.isArray(had) ? [...had, value] : [had, value];
    at = next + 2;
  }
}

/**
 * A Fastify body parser (parseAs buffer) for multipart/form-data, on upload routes only: any
 * other route refuses the content type (415) as it would with no parser at all.
 */
export function multipartParser() {
  return (request: FastifyRequest, body: Buffer) => {
    if (!isUploadRoute(request.routeOptions?.config))
      throw Object.assign(new Error('multipart/form-data is not accepted here.'), {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      });
    return parseMultipartForm(body, request.headers['content-type']);
  };
}
