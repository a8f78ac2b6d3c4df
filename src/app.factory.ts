import { ReadDatabase } from './database/read-database';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type {} from '@fastify/view'; // reply.view() types
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { AppModule } from './app.module';
import { fastifyClientError } from './common/http/error.filter';
import { InputGuardPipe } from './common/http/input-guard.pipe';
import { isUploadRoute, multipartParser } from './common/http/multipart';
import { RawBodyRefusals, wantsRawBody } from './common/http/raw-body';
import { apiDocsHeaders, isApiDocsPage, securityHeaders } from './common/http/security-headers';
import { AssetVersions, assetRoots, isStaticAsset } from './common/http/static-assets';
import { createLogger } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { HANDLEBARS } from './common/views/handlebars.provider';
import type { AppConfig } from './config/app-config';

/** Bodies larger than this get 413 before any work; CSV imports have their own, larger cap. */
export const BODY_LIMIT = 256 * 1024;
export const CSV_BODY_LIMIT = 10 * 1024 * 1024;
/** A form's other fields and the multipart framing around an uploaded CSV file. */
const UPLOAD_OVERHEAD = 64 * 1024;

/** An incoming X-Request-Id is kept only if it looks like an id (no spaces, markup or newlines). */
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Survey links (`/s/…`): no request line at all. A line would hold the client's address and the
 * instant, which together say who answered when — what the mixer's releases are there to hide.
 * (Errors still reach the error filter's log, with the route and no address.)
 */
export function isSurveyRoute(url: string): boolean {
  return /^\/s(\/|$|\?)/i.test(url) || /^\/%73(\/|$)/i.test(url);
}

/**
 * A team's review request pages (`/services/<slug>/review…`): no request line either. With the
 * client's address and the instant, a line would tie a browser to the review link mailed (and
 * answered) right after it.
 */
export function isReviewRequestRoute(url: string): boolean {
  return /^\/services\/[^/?#]+\/review(\/|$|\?)/i.test(url);
}

/**
 * Requests that leave no line: survey links, review requests, and what browsers fetch by
 * themselves for a page (its stylesheet, a favicon), which would otherwise log the respondent's
 * address right after each survey page and submit.
 */
export function isUnloggedRoute(url: string): boolean {
  return isSurveyRoute(url) || isReviewRequestRoute(url) || isStaticAsset(url);
}

/**
 * Fastify's request logging, as one line per request once it is answered: the request (method,
 * path with tokens redacted, address, id; see the serializers in common/logging) and the status.
 * Survey links and static files are never logged (isUnloggedRoute).
 */
class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request) || isUnloggedRoute(request.url)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request) || isUnloggedRoute(request.url)) return;
    request.log.info({ req: request }, 'route not found');
  }
}

export interface CreateAppOptions {
  /** Where the JSON log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
}

/**
 * Builds the whole application (used by main.ts, the tests and the benchmark alike): Fastify,
 * logging, security headers, validation, views, static assets and the OpenAPI document.
 */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel, options.logStream, config.logFormat);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    loggerInstance: logger,
    logController: new OneLineRequestLog(),
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    adapter,
    {
      logger: new PinoNestLogger(logger),
      bufferLogs: false,
      abortOnError: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  const refusals = app.get(RawBodyRefusals);
  // Raw-body routes (webhooks) get their own cap; Nest registers its routes later, in init().
  // What Fastify refuses on them before their handler (the cap, above all) is reported, so that
  // the webhook delivery log keeps it too.
  fastify.addHook('onRoute', (route) => {
    // A page that takes a file (the directory's CSV import) takes it up to the CSV cap.
    if (isUploadRoute(route.config)) route.bodyLimit = CSV_BODY_LIMIT + UPLOAD_OVERHEAD;
    if ((route.config as { rawBody?: boolean } | undefined)?.rawBody !== true) return;
    route.bodyLimit = config.tickets.webhookMaxBodyBytes;
    const report = async (request: FastifyRequest, _reply: FastifyReply, error: Error) => {
      const refusal = fastifyClientError(error);
      if (refusal) await refusals.report(request, refusal);
    };
    route.onError = [...(route.onError ? [route.onError].flat() : []), report];
  });
  // JSON as usual, except on raw-body routes: they verify the exact bytes before parsing them.
  const json = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, (request, body, done) => {
    if (wantsRawBody(request as FastifyRequest)) done(null, body);
    else json(request as FastifyRequest, body as unknown as string, done);
  });
  // SCIM (RFC 7644) sends JSON as application/scim+json; parsed as JSON, under the same cap.
  app.useBodyParser('application/scim+json', { bodyLimit: BODY_LIMIT }, (request, body, done) =>
    json(request as FastifyRequest, body as unknown as string, done),
  );
  app.useBodyParser(
    'text/csv',
    { bodyLimit: CSV_BODY_LIMIT },
    async (_request: unknown, body: Buffer) => body.toString('utf8'),
  );
  // HTML forms that send a file; the usual cap except on upload routes (above).
  const multipart = multipartParser();
  app.useBodyParser(
    'multipart/form-data',
    { bodyLimit: BODY_LIMIT },
    async (request: unknown, body: Buffer) => multipart(request as FastifyRequest, body),
  );
  await app.register(fastifyCookie);
  const headers = securityHeaders({ https: config.baseUrl.startsWith('https:') });
  const docsHeaders = apiDocsHeaders({ https: config.baseUrl.startsWith('https:') });
  const assets = app.get(AssetVersions);
  // One server (replica or primary) for all the report reads of a request (read-database.ts).
  const pin = app.get(ReadDatabase).requestHooks();
  fastify.addHook('onRequest', pin.onRequest).addHook('preValidation', pin.preValidation);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      reply.headers(isApiDocsPage(request.url) ? docsHeaders : headers);
      reply.header('x-request-id', request.id);
      done();
    })
    // How long the server took, for browsers' developer tools and the benchmarks.
    .addHook('onSend', (_request, reply, payload, done) => {
      reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(1)}`);
      done(null, payload);
    })
    // Static files named with their version are kept by browsers for a year (AssetVersions).
    .addHook('onSend', assets.hook());
  // The app's own files, and Chart.js from its dependencies (no CDN: closed networks).
  for (const { root, prefix } of assetRoots(config.projectRoot).reverse())
    await app.register(fastifyStatic, { root, prefix, decorateReply: false, cacheControl: false });
  // Pages carry their icon inline; browsers and other tools still ask for /favicon.ico.
  const favicon = readFileSync(join(config.projectRoot, 'public', 'favicon.ico'));
  fastify.get('/favicon.ico', (_request, reply) => {
    void reply.type('image/x-icon').header('cache-control', 'public, max-age=604800').send(favicon);
  });
  app.setViewEngine({
    engine: { handlebars: app.get(HANDLEBARS) },
    templates: join(config.projectRoot, 'views'),
    layout: 'layouts/main.hbs',
    production: true,
  });
  app.useGlobalPipes(
    new InputGuardPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      errorHttpStatusCode: 400,
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('inpulse API')
      .setDescription(
        'Teams, directory, questionnaires and surveys. Send the admin API key as a bearer token.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs/openapi.json',
    customSiteTitle: 'inpulse API',
    customfavIcon: '/favicon.ico',
  });
  return app;
}
