import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { asForm, textField } from '../../common/http/form-fields';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { SYNC_FIELDS } from '../directory/directory-sync';
import type { HrisSyncRun } from './entities/hris-sync-run.entity';
import type { HrisSyncSettingValues } from './hris-sync.repository';
import { HrisSyncService } from './hris-sync.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * HR's HRIS file sync page (`/admin/directory/sync`, docs/directory.md): the settings (file,
 * format, column of each field, schedule, safety stop), a dry run, a run now, the recent runs,
 * and the button that confirms a run the safety stop held. Forms post and redirect (PRG).
 */
@ApiExcludeController()
@Controller('admin/directory/sync')
export class HrisSyncPagesController {
  constructor(private readonly sync: HrisSyncService) {}

  @Get()
  @Pages('admin')
  async page(
    @Query('run') runId: unknown,
    @Query('saved') saved: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const settings = await this.sync.settings();
    await this.render(request, reply, 200, {
      form: formOf(settings),
      saved: saved === '1',
      runId: typeof runId === 'string' && UUID.test(runId) ? runId : undefined,
    });
  }

  @Post()
  @Pages('admin')
  async save(
    @Body() body: unknown,
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const input: Record<string, string> = Object.fromEntries(
      [
        'enabled',
        'source',
        'format',
        'cron',
        'maxDeactivatePercent',
        ...SYNC_FIELDS.map((f) => `map_${f}`),
      ].map((name) => [name, textField(form, name).slice(0, 2100)]),
    );
    await showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.sync.saveSettings(input, user, request.ip);
        return reply.redirect('/admin/directory/sync?saved=1', 303);
      },
      (error, status) =>
        this.render(request, reply, status, {
          form: {
            enabled: input.enabled === 'on',
            source: input.source,
            format: input.format,
            cron: input.cron,
            maxDeactivatePercent: input.maxDeactivatePercent,
            fields: SYNC_FIELDS.map((field) => ({ field, column: input[`map_${field}`] })),
          },
          error: errorText(request, error),
          problems: (error.details as { problems?: string[] } | undefined)?.problems,
        }),
    );
  }

  @Post('dry-run')
  @Pages('admin')
  dryRun(
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.start(request, reply, () => this.sync.dryRun(user, request.ip));
  }

  @Post('run')
  @Pages('admin')
  runNow(
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.start(request, reply, () => this.sync.runNow(user, request.ip));
  }

  @Post('runs/:id/confirm')
  @Pages('admin')
  confirm(
    @Param('id') id: string,
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.start(request, reply, () => this.sync.confirm(id, user, request.ip));
  }

  private async start(
    request: FastifyRequest,
    reply: FastifyReply,
    work: () => Promise<HrisSyncRun>,
  ): Promise<void> {
    await showDomainErrors(
      reply,
      ['invalid', 'not_found', 'conflict'],
      async () => {
        const run = await work();
        return reply.redirect(`/admin/directory/sync?run=${run.id}`, 303);
      },
      async (error, status) =>
        this.render(request, reply, status, {
          form: formOf(await this.sync.settings()),
          error: errorText(request, error),
        }),
    );
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: {
      form: ReturnType<typeof formOf>;
      saved?: boolean;
      runId?: string;
      error?: string;
      problems?: string[];
    },
  ): Promise<void> {
    const t = tr(request);
    const runs = await this.sync.recentRuns();
    const shown = extra.runId ? runs.find((r) => r.id === extra.runId) : runs[0];
    await reply.code(status).view(
      'pages/hris-sync/sync.hbs',
      pageContext(request, t('directory_sync.title'), {
        ...extra,
        formats: ['csv', 'json'].map((f) => ({ value: f, selected: extra.form.format === f })),
        runs: runs.map((run) => ({
          id: run.id,
          status: run.status,
          statusLabel: t(`directory_sync.status.${run.status}`),
          trigger: run.trigger,
          createdAt: run.createdAt,
          current: run.id === shown?.id,
          counts: run.plan?.counts,
        })),
        shown: shown
          ? {
              ...shown,
              statusLabel: t(`directory_sync.status.${shown.status}`),
              stopped: shown.status === 'stopped',
              changed: shown.plan?.changed.map((c) => ({
                ...c,
                changes: c.changes.map((ch) => ({
                  field: ch.field,
                  from: ch.from === null ? '—' : String(ch.from),
                  to: ch.to === null ? '—' : String(ch.to),
                })),
              })),
            }
          : undefined,
      }),
    );
  }
}

function formOf(settings: HrisSyncSettingValues): {
  enabled: boolean;
  source: string;
  format: string;
  cron: string;
  maxDeactivatePercent: string;
  fields: { field: string; column: string }[];
} {
  return {
    enabled: settings.enabled,
    source: settings.source,
    format: settings.format,
    cron: settings.cron,
    maxDeactivatePercent: String(settings.maxDeactivatePercent),
    fields: SYNC_FIELDS.map((field) => ({
      field,
      column: (settings.mapping as Record<string, string>)[field] ?? '',
    })),
  };
}
