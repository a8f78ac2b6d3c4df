import Busboy from '@fastify/busboy';
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

/**
 * Route config of a route that takes a small multipart/form-data form without a file, under the
 * usual cap: the one-click unsubscribe, which RFC 8058 says mail clients SHOULD post as multipart.
 */
export const MULTIPART_FORM_ROUTE = { multipartForm: true } as const;

function acceptsMultipart(config: unknown): boolean {
  return (
    isUploadRoute(config) ||
    (config as { multipartForm?: boolean } | undefined)?.multipartForm === true
  );
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

type Form = Record<string, string | UploadedFile | (string | UploadedFile)[]>;

/**
 * A multipart/form-data body (RFC 7578) as a form: text fields as strings, files as
 * UploadedFile; a field sent more than once becomes a list, as urlencoded forms do. Parsed by
 * @fastify/busboy (the parser behind @fastify/multipart); the whole body is already in memory,
 * within the route's cap: the only files are CSV imports.
 */
export function parseMultipartForm(body: Buffer, contentType: string | undefined): Promise<Form> {
  return new Promise((resolve, reject) => {
    const form: Form = {};
    const add = (name: string, value: string | UploadedFile) => {
      const had = form[name];
      if (had === undefined) form[name] = value;
      else form[name] = Array.isArray(had) ? [...had, value] : [had, value];
    };
    let failed = false;
    const fail = (why: string) => {
      if (failed) return;
      failed = true;
      reject(invalid(why));
    };
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: { 'content-type': contentType ?? '' },
        defCharset: 'utf8',
        limits: { parts: MAX_PARTS, fieldSize: body.length, fileSize: body.length },
      });
    } catch (error) {
      // Busboy says why in its own words: a missing boundary, an unsupported type.
      const message = String((error as Error).message);
      return fail(
        /boundary/i.test(message)
          ? 'no boundary in its content type'
          : message.replace(/\.$/, '').toLowerCase(),
      );
    }
    const files: Promise<void>[] = [];
    parser.on('field', (name: string, value: string) => add(name, value));
    parser.on(
      'file',
      (
        name: string,
        stream: NodeJS.ReadableStream,
        filename: string,
        _enc: string,
        type: string,
      ) => {
        files.push(
          new Promise((done, error) => {
            const chunks: Buffer[] = [];
            stream.on('data', (chunk: Buffer) => chunks.push(chunk));
            stream.on('error', error);
            stream.on('end', () => {
              add(name, {
                filename,
                contentType: type || 'application/octet-stream',
                text: Buffer.concat(chunks).toString('utf8'),
              });
              done();
            });
          }),
        );
      },
    );
    parser.on('partsLimit', () => fail(`it has more than ${MAX_PARTS} parts`));
    parser.on('error', (error: unknown) =>
      fail(
        /unexpected end/i.test(String((error as Error)?.message))
          ? 'it ends before its closing boundary'
          : String((error as Error)?.message ?? error).toLowerCase(),
      ),
    );
    parser.on('finish', () => {
      void Promise.all(files).then(
        () => (failed ? undefined : resolve(form)),
        (error: unknown) => fail(String(error)),
      );
    });
    parser.end(body);
  });
}

/**
 * A Fastify body parser (parseAs buffer) for multipart/form-data, on upload routes (and routes
 * marked MULTIPART_FORM_ROUTE) only: any
 * other route refuses the content type (415) as it would with no parser at all.
 */
export function multipartParser() {
  return (request: FastifyRequest, body: Buffer) => {
    if (!acceptsMultipart(request.routeOptions?.config))
      throw Object.assign(new Error('multipart/form-data is not accepted here.'), {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      });
    return parseMultipartForm(body, request.headers['content-type']);
  };
}
