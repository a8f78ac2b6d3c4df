import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { ROLES, SCOPES } from '../../common/access/roles';
import { Flash } from '../../common/http/flash';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { ACCOUNT_WORDING } from './account-page-words';
import { asForm, listField, textField } from '../../common/http/form-fields';
import { requestLocale, sharedI18n, tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { TeamsService } from '../teams/teams.service';
import { AccountsService } from './accounts.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/** Administrators invite and manage people and API tokens. */
@ApiExcludeController()
@Controller('admin')
export class AdminPagesController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly teams: TeamsService,
    private readonly flash: Flash,
  ) {}

  @Get('users')
  @Pages('admin')
  async users(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const invited = this.flash.take<{ email: string; link: string }>(
      request,
      reply,
      '/admin/users',
    );
    return this.renderUsers(request, reply, 200, invited ? { invited } : {});
  }

  @Post('users')
  @Pages('admin')
  async invite(
    @CurrentUser() actor: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    // The invitation mail is in the language chosen on the form, else the inviting admin's.
    const chosen = sharedI18n().match(textField(form, 'locale'));
    return showDomainErrors(
      reply,
      ['invalid', 'conflict'],
      async () => {
        const { link } = await this.accounts.invite(
          actor,
          {
            email: textField(form, 'email'),
            name: textField(form, 'name'),
            role: textField(form, 'role'),
            teamSlugs: listField(form, 'teams'),
            locale: chosen ?? requestLocale(request),
          },
          { ip: request.ip },
        );
        // The set-up link is shown once on the page redirected to; a reload invites nobody again.
        this.flash.set(request, reply, '/admin/users', { email: textField(form, 'email'), link });
        return reply.redirect('/admin/users', 303);
      },
      (error, status) =>
        this.renderUsers(request, reply, status, {
          error: errorText(
            request,
            error,
            { email: textField(form, 'email').slice(0, 320) },
            ACCOUNT_WORDING,
          ),
          form,
        }),
    );
  }

  @Post('users/:id')
  @Pages('admin')
  async update(
    @CurrentUser() actor: SignedInUser,
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid', 'conflict', 'not_found'],
      async () => {
        await this.accounts.update(
          actor,
          id,
          {
            role: textField(form, 'role'),
            disabled: textField(form, 'disabled') === 'on',
            teamSlugs: listField(form, 'teams'),
          },
          { ip: request.ip },
        );
        return reply.redirect('/admin/users', 303);
      },
      (error, status) =>
        this.renderUsers(request, reply, status, {
          error: errorText(request, error, {}, ACCOUNT_WORDING),
        }),
    );
  }

  @Get('tokens')
  @Pages('admin')
  async tokens(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const created = this.flash.take<{ name: string; value: string }>(
      request,
      reply,
      '/admin/tokens',
    );
    return this.renderTokens(request, reply, 200, created ? { created } : {});
  }

  @Post('tokens')
  @Pages('admin')
  async createToken(
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
        const created = await this.accounts.createApiToken(
          actor,
          { name: textField(form, 'name'), scopes: listField(form, 'scopes') },
          { ip: request.ip },
        );
        // The token is shown once on the page redirected to; a reload creates no second one.
        const once = { name: created.name, value: created.value };
        this.flash.set(request, reply, '/admin/tokens', once);
        return reply.redirect('/admin/tokens', 303);
      },
      (error, status) =>
        this.renderTokens(request, reply, status, {
          error: errorText(request, error, {}, ACCOUNT_WORDING),
        }),
    );
  }

  @Post('tokens/:id/revoke')
  @Pages('admin')
  async revoke(
    @CurrentUser() actor: SignedInUser,
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.accounts.revokeApiToken(actor, id, { ip: request.ip });
    return reply.redirect('/admin/tokens', 303);
  }

  private async renderUsers(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const [users, teams] = await Promise.all([this.accounts.listUsers(), this.teams.list()]);
    const locale = requestLocale(request);
    return reply.code(status).view(
      'pages/admin/users.hbs',
      pageContext(request, tr(request)('admin.users.title'), {
        inviteLanguages: sharedI18n().locales.map((l) => ({
          code: l.code,
          name: l.name,
          current: l.code === locale,
        })),
        users: users.map((u) => ({
          ...u,
          roles: ROLES.map((r) => ({
            value: r,
            label: `admin.users.roles.${r}`,
            selected: r === u.role,
          })),
          teams: teams.map((t) => ({
            slug: t.slug,
            name: t.name,
            depth: t.depth,
            selected: u.teamIds.includes(t.id),
          })),
        })),
        roles: ROLES,
        teams,
        ...extra,
      }),
    );
  }

  private async renderTokens(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const tokens = await this.accounts.listApiTokens();
    return reply.code(status).view(
      'pages/admin/tokens.hbs',
      pageContext(request, tr(request)('admin.tokens.title'), {
        tokens,
        scopes: SCOPES,
        ...extra,
      }),
    );
  }
}
