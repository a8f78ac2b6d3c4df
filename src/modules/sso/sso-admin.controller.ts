import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { ROLES } from '../../common/access/roles';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { asForm, textField } from '../../common/http/form-fields';
import { tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AccountsService } from '../accounts/accounts.service';
import { TeamsService } from '../teams/teams.service';
import { SsoSettingsService } from './sso-settings.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/** HR's page of the identity provider: mapping rules, SSO only and the break-glass admin. */
@ApiExcludeController()
@Controller('admin/sso')
export class SsoAdminController {
  constructor(
    private readonly settings: SsoSettingsService,
    private readonly accounts: AccountsService,
    private readonly teams: TeamsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Pages('admin')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return this.render(request, reply, 200, { saved });
  }

  @Post('rules')
  @Pages('admin')
  async addRule(
    @CurrentUser() actor: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.settings.addRule(
          actor,
          {
            groupName: textField(form, 'group'),
            role: textField(form, 'role'),
            teamSlug: textField(form, 'team'),
          },
          { ip: request.ip },
        );
        return reply.redirect('/admin/sso?saved=1', 303);
      },
      (error, status) =>
        this.render(request, reply, status, { error: errorText(request, error), form }),
    );
  }

  @Post('rules/:id/delete')
  @Pages('admin')
  async removeRule(
    @CurrentUser() actor: SignedInUser,
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.settings.removeRule(actor, id, { ip: request.ip });
    return reply.redirect('/admin/sso?saved=1', 303);
  }

  @Post('settings')
  @Pages('admin')
  async saveSwitch(
    @CurrentUser() actor: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.settings.saveSwitch(
          actor,
          {
            ssoOnly: textField(form, 'ssoOnly') === 'on',
            breakGlassUserId: textField(form, 'breakGlass'),
          },
          { ip: request.ip },
        );
        return reply.redirect('/admin/sso?saved=1', 303);
      },
      (error, status) => this.render(request, reply, status, { error: errorText(request, error) }),
    );
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const [rules, setting, users, teams] = await Promise.all([
      this.settings.rules(),
      this.settings.setting(),
      this.accounts.listUsers(),
      this.teams.list(),
    ]);
    const oidc = this.config.oidc;
    return reply.code(status).view(
      'pages/sso/admin.hbs',
      pageContext(request, tr(request)('sso.admin.title'), {
        configured: oidc !== undefined,
        issuer: oidc?.issuer,
        redirectUri: oidc?.redirectUri,
        groupsClaim: oidc?.groupsClaim,
        allowCreate: oidc?.allowCreate,
        rules: rules.map((r) => ({ ...r, roleLabel: `admin.users.roles.${r.role}` })),
        roles: ROLES.map((r) => ({ value: r, label: `admin.users.roles.${r}` })),
        teams,
        ssoOnly: setting.ssoOnly,
        admins: users
          .filter(
            (u) =>
              u.role === 'admin' && !u.disabled && (u as { hasPassword?: boolean }).hasPassword,
          )
          .map((u) => ({
            id: u.id,
            email: u.email,
            name: u.name,
            selected: u.id === setting.breakGlassUserId,
          })),
        ...extra,
      }),
    );
  }
}
