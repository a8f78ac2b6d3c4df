import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MailModule } from '../mail/mail.module';
import { TeamsModule } from '../teams/teams.module';
import { AccessGuard } from './access.guard';
import { AccountPagesController } from './account-pages.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { AdminPagesController } from './admin-pages.controller';
import { ApiTokensService } from './api-tokens.service';
import { ExternalSignIn } from './external-sign-in';
import { SessionsService } from './sessions.service';
import { SignInThrottle } from './sign-in-throttle';

/** Global: every feature's pages ask it which teams a person may see. */
@Global()
@Module({
  imports: [TeamsModule, MailModule],
  controllers: [AccountPagesController, AdminPagesController],
  providers: [
    AccountsService,
    SessionsService,
    ApiTokensService,
    AccountsRepository,
    SignInThrottle,
    ExternalSignIn,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  // SessionsService: public pages that are for signed-in people too (the service directory).
  // ExternalSignIn: the sso feature registers how the identity provider changes signing in.
  exports: [AccountsService, SessionsService, ExternalSignIn],
})
export class AccountsModule {}
