import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ErrorFilter } from './http/error.filter';
import { Flash } from './http/flash';
import { RawBodyRefusals } from './http/raw-body';
import { AssetVersions, assetRoots } from './http/static-assets';
import { I18N } from './i18n/i18n.provider';
import { I18n } from './i18n/i18n.service';
import { useI18n } from './i18n/request-locale';
import { RateLimitRepository } from './rate-limit/rate-limit.repository';
import { RateLimitService } from './rate-limit/rate-limit.service';
import { createHandlebars } from './views/handlebars';
import { HANDLEBARS } from './views/handlebars.provider';

/**
 * Cross-cutting pieces: the error filter, translations, views and their assets, rate limits,
 * early refusals.
 */
@Global()
@Module({
  providers: [
    {
      provide: I18N,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const i18n = new I18n(join(config.projectRoot, 'views', 'locales'));
        useI18n(i18n);
        return i18n;
      },
    },
    {
      provide: AssetVersions,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new AssetVersions(assetRoots(config.projectRoot)),
    },
    {
      provide: HANDLEBARS,
      inject: [I18N, APP_CONFIG, AssetVersions],
      useFactory: (i18n: I18n, config: AppConfig, assets: AssetVersions) =>
        createHandlebars(i18n, join(config.projectRoot, 'views'), {
          releaseSize: config.mixBatchSize,
          assetUrl: (path) => assets.url(path),
        }),
    },
    RateLimitService,
    RateLimitRepository,
    RawBodyRefusals,
    Flash,
    { provide: APP_FILTER, useClass: ErrorFilter },
  ],
  exports: [I18N, HANDLEBARS, AssetVersions, RateLimitService, RawBodyRefusals, Flash],
})
export class CommonModule {}
