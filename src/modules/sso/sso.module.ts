import { Module } from '@nestjs/common';
import { EmployeesModule } from '../employees/employees.module';
import { TeamsModule } from '../teams/teams.module';
import { OidcClient } from './oidc-client';
import { SsoAdminController } from './sso-admin.controller';
import { SsoPagesController } from './sso-pages.controller';
import { SsoSettingsService } from './sso-settings.service';
import { SsoRepository } from './sso.repository';
import { SsoService } from './sso.service';

/**
 * Staff sign-in through an OpenID Connect provider (docs/sso.md). Always loaded (HR may prepare
 * the mapping rules first); signs anyone in only with OIDC_ISSUER set.
 */
@Module({
  imports: [TeamsModule, EmployeesModule],
  controllers: [SsoPagesController, SsoAdminController],
  providers: [SsoService, SsoSettingsService, SsoRepository, OidcClient],
  // SsoSettingsService: the demo adds its mapping rules through it (DEMO_OIDC).
  exports: [SsoService, SsoSettingsService],
})
export class SsoModule {}
