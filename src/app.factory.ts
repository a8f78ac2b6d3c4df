import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type {} from '@fastify/view'; // reply.view() types
import { LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { securityHeaders } from './common/http/security-headers';
import { HANDLEBARS } from './common/views/handlebars.provider';
import type { AppConfig } from './config/app-config';

export const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Bodies larger than this get 413 before any work; CSV imports have their own, larger cap. */
export const BODY_LIMIT = 256 * 1024;
export const CSV_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * Builds the whole application (used by main.ts, the tests and the benchmark alike): Fastify,
 * security headers, validation, views, static assets and the OpenAPI document.
 */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    adapter,
    {
      logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
      abortOnError: false,
    },
  );
  app.useBodyParser(
    'text/csv',
    { bodyLimit: CSV_BODY_LIMIT },
    async (_request: unknown, body: Buffer) => body.toString('utf8'),
  );
  await app.register(fastifyCookie);
  const headers = securityHeaders({ https: config.baseUrl.startsWith('https:') });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  await app.register(fastifyStatic, {
    root: join(config.projectRoot, 'public'),
    prefix: '/assets/',
    decorateReply: false,
  });
  app.setViewEngine({
    engine: { handlebars: app.get(HANDLEBARS) },
    templates: join(config.projectRoot, 'views'),
    layout: 'layouts/main.hbs',
    production: true,
  });
  app.useGlobalPipes(
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
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
