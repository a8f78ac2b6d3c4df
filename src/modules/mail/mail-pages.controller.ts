import { Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { AuditService } from '../audit/audit.service';
import { MAIL_STATUSES } from './entities/mail-message.entity';
import { MailService } from './mail.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/** For HR: how mail is flowing, what will not go and why; retry; "send me a test". */
@ApiExcludeController()
@Controller('admin/mail')
export class MailPagesController {
  constructor(
    private readonly mail: MailService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Pages('admin')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const query = request.query as Record<string, unknown>;
    return this.render(request, reply, 200, {
      testQueued: query.test === 'queued',
      retried: query.retried === '1',
    });
  }

  /** "Send me a test": the invitation mail, to the signed-in person's own address. */
  @Post('test')
  @Pages('admin')
  async test(
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.mail.queueTest(user.email, { name: user.name });
    await this.audit.record({
      action: 'mail.test_queued',
      actor: user,
      target: user.email,
      ip: request.ip,
    });
    return reply.redirect('/admin/mail?test=queued', 303);
  }

  /** Tries a failed or dead mail again, with fresh attempts. */
  @Post(':id/retry')
  @Pages('admin')
  async retry(
    @CurrentUser() user: SignedInUser,
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return showDomainErrors(
      reply,
      ['conflict'],
      async () => {
        await this.mail.retry(id);
        await this.audit.record({
          action: 'mail.retried',
          actor: user,
          target: id,
          ip: request.ip,
        });
        return reply.redirect('/admin/mail?retried=1', 303);
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
    const [counts, problems] = await Promise.all([
      this.mail.countByStatus(),
      this.mail.problems({ limit: 200 }),
    ]);
    return reply.code(status).view(
      'pages/mail/status.hbs',
      pageContext(request, tr(request)('mail_admin.status.title'), {
        counts: MAIL_STATUSES.map((s) => ({
          status: s,
          labelKey: `mail_admin.status.statuses.${s}`,
          n: counts[s] ?? 0,
        })),
        problems: problems.map((p) => ({
          ...p,
          iso: new Date(p.updatedAt).toISOString(),
          statusKey: `mail_admin.status.statuses.${p.status}`,
        })),
        usesOutbox: this.mail.usesOutbox,
        ...extra,
      }),
    );
  }
}
