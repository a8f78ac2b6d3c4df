import { Body, Controller, Get, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  Api,
  CurrentPrincipal,
  CurrentUser,
  Pages,
  type Principal,
  type SignedInUser,
} from '../../common/access/access.decorator';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { tr } from '../../common/i18n/request-locale';
import { asForm, textField } from '../../common/http/form-fields';
import { pageContext } from '../../common/views/page-context';
import { FatigueService, MAX_FATIGUE_DAYS } from './fatigue.service';

export class FatigueSettingDto {
  @ApiProperty({
    example: 7,
    minimum: 0,
    maximum: MAX_FATIGUE_DAYS,
    description: 'at most one invitation per person per this many days; 0 = no budget',
  })
  @IsInt({ message: 'days must be a whole number' })
  @Min(0, { message: 'days must be 0 (no budget) or more' })
  @Max(MAX_FATIGUE_DAYS, { message: `days must be at most ${MAX_FATIGUE_DAYS}` })
  days!: number;
}

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/v1/settings/fatigue')
export class FatigueController {
  constructor(private readonly fatigue: FatigueService) {}

  /** The survey fatigue budget, and how many people it kept out (in total and per survey). */
  @Get()
  @Api('admin')
  get() {
    return this.fatigue.summary(100);
  }

  /** Sets the budget: at most one invitation per person per `days` days (0 = off). */
  @Put()
  @Api('admin')
  async set(@Body() body: FatigueSettingDto, @CurrentPrincipal() actor: Principal) {
    const days = await this.fatigue.setDays(body.days, actor);
    return { days };
  }
}

/** HR's organisation settings page: the survey fatigue budget. */
@ApiExcludeController()
@Controller('admin/settings')
export class SettingsPagesController {
  constructor(private readonly fatigue: FatigueService) {}

  @Get()
  @Pages('admin')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return this.render(request, reply, 200, { saved });
  }

  @Post()
  @Pages('admin')
  async save(
    @CurrentUser() user: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const raw = textField(asForm(body), 'days');
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.fatigue.setDays(raw, user, request.ip);
        return reply.redirect('/admin/settings?saved=1', 303);
      },
      (error, status) =>
        this.render(request, reply, status, {
          error: errorText(request, error, { max: MAX_FATIGUE_DAYS }),
          typed: raw,
        }),
    );
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const summary = await this.fatigue.summary(100);
    const t = tr(request);
    return reply.code(status).view(
      'pages/admin/settings.hbs',
      pageContext(request, t('admin.settings.title'), {
        ...summary,
        maxDays: MAX_FATIGUE_DAYS,
        value: extra.typed ?? summary.days,
        skipped: summary.skipped.map((s) => ({
          ...s,
          label: s.name ?? `${s.source} ${s.sourceId}`,
        })),
        ...extra,
      }),
    );
  }
}
