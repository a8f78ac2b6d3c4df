import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  Api,
  CurrentPrincipal,
  type Principal,
  TeamScoped,
} from '../../common/access/access.decorator';
import { AccountsService } from '../accounts/accounts.service';
import { ActionChangesService } from './action-changes.service';
import { ACTION_LOCALES, TEXT_MAX, TEXT_MIN } from './action-input';
import { ActionErrors } from './actions.errors';
import { ActionsService, type OwnedAction } from './actions.service';
import { ActionListQueryDto } from './dto/action-queries.dto';
import { ACTION_ORIGINS, ACTION_STATUSES } from './entities/team-action.entity';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

const ACTION_BODY = {
  schema: {
    type: 'object',
    properties: {
      heard: { type: 'string', minLength: TEXT_MIN, maxLength: TEXT_MAX },
      planned: { type: 'string', minLength: TEXT_MIN, maxLength: TEXT_MAX },
      locale: { type: 'string', enum: [...ACTION_LOCALES] },
      translations: {
        type: 'object',
        description: 'keyed by another of en, es, ja, fa: { heard, planned }, both required',
      },
      ownerId: {
        type: 'string',
        format: 'uuid',
        nullable: true,
        description: 'an active HR admin, or a lead of the team or one above it (not a viewer)',
      },
      dueOn: { type: 'string', format: 'date', nullable: true },
      status: { type: 'string', enum: [...ACTION_STATUSES] },
      doneOn: {
        type: 'string',
        format: 'date',
        description: 'with status done: the day (default today, never in the future)',
      },
      published: { type: 'boolean' },
      origin: { type: 'string', enum: [...ACTION_ORIGINS] },
      originRef: { type: 'object', nullable: true },
    },
  },
};

/** An action in the API's words. */
function body(action: OwnedAction) {
  return {
    id: action.id,
    team: { slug: action.teamSlug, name: action.teamName },
    heard: action.heard,
    planned: action.planned,
    locale: action.locale,
    translations: action.translations,
    origin: action.origin,
    originRef: action.originRef,
    owner: action.ownerUserId
      ? {
          id: action.ownerUserId,
          name: action.ownerName,
          email: action.ownerEmail,
          hasAccess: action.ownerHasAccess,
        }
      : null,
    dueOn: action.dueOn,
    status: action.status,
    doneOn: action.doneOn,
    published: action.published,
    createdAt: action.createdAt,
    updatedAt: action.updatedAt,
  };
}

function rawBody(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw ActionErrors.invalid(['the body must be a JSON object']);
  return value as Record<string, unknown>;
}

/**
 * Action plans over the API: `actions:read` lists and reads them, `actions:write` creates and
 * changes them. There is no DELETE: an action that will not happen is `dropped` (kept, audited,
 * never shown to employees).
 */
@ApiTags('actions')
@ApiBearerAuth()
@Controller('api/v1')
export class ActionsController {
  constructor(
    private readonly actions: ActionsService,
    private readonly changes: ActionChangesService,
    private readonly accounts: AccountsService,
  ) {}

  @Get('teams/:slug/actions')
  @Api('actions:read')
  @TeamScoped()
  async teamList(@Param('slug') slug: string, @Query() query: ActionListQueryDto) {
    const team = await this.actions.teamBySlug(slug);
    if (query.team !== undefined && query.team !== slug)
      throw ActionErrors.invalid(['team: the address names the team already']);
    const { items, total } = await this.actions.list('all', {
      teamIds: [team!.id],
      ...filterOf(query),
    });
    return { items: items.map(body), total };
  }

  @Post('teams/:slug/actions')
  @Api('actions:write')
  @TeamScoped()
  @ApiBody(ACTION_BODY)
  async create(
    @Param('slug') slug: string,
    @Body() input: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const team = await this.actions.teamBySlug(slug);
    return body(
      await this.changes.create(team!, rawBody(input), { actor: principal, ip: request.ip }),
    );
  }

  /** Every action the token may see (all teams), filtered: status, team, due_before, published. */
  @Get('actions')
  @Api('actions:read')
  async list(@Query() query: ActionListQueryDto, @CurrentPrincipal() principal: Principal) {
    const visible = await this.accounts.visibleTeams(principal);
    let teamIds: string[] | undefined;
    if (query.team) {
      const team = await this.actions.teamBySlug(query.team);
      if (!team || (visible !== 'all' && !visible.has(team.id)))
        throw ActionErrors.invalid([`team: no team "${query.team}"`]);
      teamIds = [team.id];
    }
    const { items, total } = await this.actions.list(visible, { teamIds, ...filterOf(query) });
    return { items: items.map(body), total };
  }

  @Get('actions/:id')
  @Api('actions:read')
  async get(@Param('id', uuid) id: string, @CurrentPrincipal() principal: Principal) {
    return body(await this.actions.get(id, await this.accounts.visibleTeams(principal)));
  }

  /** Changes the fields given (the others stay); `status: dropped` instead of a deletion. */
  @Patch('actions/:id')
  @Api('actions:write')
  @HttpCode(200)
  @ApiBody(ACTION_BODY)
  async update(
    @Param('id', uuid) id: string,
    @Body() input: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const action = await this.actions.get(id, await this.accounts.visibleTeams(principal));
    return body(
      await this.changes.update(action, rawBody(input), { actor: principal, ip: request.ip }),
    );
  }
}

function filterOf(query: ActionListQueryDto) {
  return {
    status: query.status,
    published: query.published === undefined ? undefined : query.published === 'true',
    dueBefore: query.due_before,
    limit: query.limit ?? 100,
    offset: query.offset ?? 0,
  };
}
