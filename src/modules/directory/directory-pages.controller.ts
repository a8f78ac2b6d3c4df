import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { wordProblems } from '../../common/i18n/form-problems';
import { requestLocale, sharedI18n, tr } from '../../common/i18n/request-locale';
import { asForm, textField } from '../../common/http/form-fields';
import { isUploadedFile, UPLOAD_ROUTE } from '../../common/http/multipart';
import { pageContext } from '../../common/views/page-context';
import { DirectoryService } from './directory.service';
import { ListEmployeesDto } from './dto/list-employees.dto';
import { IMPORT_WORDING, importReasons } from './employee-import-words';

/** The list's filters, plus what the page says after a change (set by its own redirect). */
export class EmployeesPageQueryDto extends ListEmployeesDto {
  @IsOptional()
  @IsString()
  @MaxLength(320)
  changed?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  cancelled?: number;

  /** After an import: how many rows were created, updated and deactivated ("3,2,0"). */
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,7},\d{1,7},\d{1,7}$/)
  imported?: string;
}

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const PAGE = 50;

/** HR's view of the directory: find a person, deactivate or reactivate them. */
@ApiExcludeController()
@Controller('admin/employees')
export class DirectoryPagesController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @Pages('admin')
  async page(
    @Query() query: EmployeesPageQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const [created, updated, deactivated] = (query.imported ?? '').split(',').map(Number);
    return this.render(request, reply, 200, query, {
      changed: query.changed ? { email: query.changed, cancelled: query.cancelled } : undefined,
      imported: query.imported
        ? { created, updated, deactivated, cancelled: query.cancelled ?? 0 }
        : undefined,
    });
  }

  /**
   * The CSV import from the page: a file sent by the form (multipart/form-data), imported as
   * the API imports it — the whole file, or nothing with every problem listed by line — then
   * back to the list (post/redirect/get), which says what changed.
   */
  @Post('import')
  @Pages('admin')
  @RouteConfig(UPLOAD_ROUTE)
  async importCsv(
    @CurrentUser() user: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const file = asForm(body).file;
    if (!isUploadedFile(file) || file.text.trim() === '') {
      return this.render(
        request,
        reply,
        400,
        {},
        {
          importError: tr(request)('errors.codes.employee.no_file'),
        },
      );
    }
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        const outcome = await this.directory.importCsv(file.text, user, request.ip);
        const back = new URLSearchParams({
          imported: [outcome.created, outcome.updated, outcome.deactivated].join(','),
          cancelled: String(outcome.cancelledInvitations),
        });
        return reply.redirect(`/admin/employees?${back.toString()}`, 303);
      },
      (error, status) => {
        // employee.csv_rejected lists every problem by line.
        const rows =
          (error.details as { errors?: { line: number; reason: string }[] } | undefined)?.errors ??
          [];
        return this.render(
          request,
          reply,
          status,
          {},
          {
            importError:
              rows.length === 0
                ? errorText(request, error)
                : tr(request)('errors.codes.employee.rejected', {
                    file: file.filename || 'CSV',
                    count: sharedI18n().number(requestLocale(request), rows.length),
                  }),
            importProblems: rows.slice(0, 100).map((r) =>
              tr(request)('errors.codes.employee.line', {
                line: sharedI18n().number(requestLocale(request), r.line, { useGrouping: false }),
                reason: importReasonText(request, r.reason),
              }),
            ),
            importMore: rows.length > 100 ? rows.length - 100 : 0,
          },
        );
      },
    );
  }

  /** Form field `active`: "true" or "false". Deactivating withdraws the person's open links. */
  @Post(':id/active')
  @Pages('admin')
  async setActive(
    @CurrentUser() user: SignedInUser,
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const raw = textField(asForm(body), 'active');
    if (raw !== 'true' && raw !== 'false') {
      return this.render(
        request,
        reply,
        400,
        {},
        { error: tr(request)('errors.codes.employee.active') },
      );
    }
    const { employee, cancelledInvitations } = await this.directory.setActive(
      id,
      raw === 'true',
      user,
      request.ip,
    );
    const back = new URLSearchParams({
      search: employee.email,
      changed: employee.email,
      cancelled: String(cancelledInvitations),
    });
    return reply.redirect(`/admin/employees?${back.toString()}`, 303);
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    query: ListEmployeesDto,
    extra: Record<string, unknown>,
  ) {
    const offset = query.offset ?? 0;
    const { items, total } = await this.directory.list({
      limit: PAGE,
      offset,
      search: query.search,
      department: query.department,
    });
    const link = (at: number) =>
      `/admin/employees?${new URLSearchParams({ search: query.search ?? '', offset: String(at) }).toString()}`;
    return reply.code(status).view(
      'pages/admin/employees.hbs',
      pageContext(request, tr(request)('admin.employees.title'), {
        employees: items,
        total,
        search: query.search ?? '',
        from: total === 0 ? 0 : offset + 1,
        to: offset + items.length,
        previous: offset > 0 ? link(Math.max(0, offset - PAGE)) : undefined,
        next: offset + PAGE < total ? link(offset + PAGE) : undefined,
        ...extra,
      }),
    );
  }
}

/** One refused line's reasons in the page's language (English: as the import said them). */
function importReasonText(request: FastifyRequest, reason: string): string {
  const i18n = sharedI18n();
  const locale = requestLocale(request);
  if (locale === i18n.fallback) return reason;
  return wordProblems(i18n, locale, importReasons(reason), IMPORT_WORDING).join(' ');
}
