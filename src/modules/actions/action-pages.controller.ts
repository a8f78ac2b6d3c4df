import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CurrentPrincipal,
  CurrentUser,
  Pages,
  type Principal,
  type SignedInUser,
  TeamScoped,
} from '../../common/access/access.decorator';
import { Flash } from '../../common/http/flash';
import { asForm, textField } from '../../common/http/form-fields';
import { showDomainErrors } from '../../common/http/form-errors';
import { requestLocale, sharedI18n } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { AccountsService } from '../accounts/accounts.service';
import { ActionChangesService } from './action-changes.service';
import { ACTION_LOCALES, readActionForm } from './action-input';
import { ActionOriginsService, type OriginPrefill } from './action-origins.service';
import { actionProblems, actionWords } from './action-page-words';
import { actionRow, formSourceOf, formValues } from './action-view';
import { ActionsService } from './actions.service';
import { ActionPageQueryDto, NewActionQueryDto } from './dto/action-queries.dto';
import { ACTION_STATUSES } from './entities/team-action.entity';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const PAGE = 100;

interface Team {
  id: string;
  slug: string;
  name: string;
}

/**
 * Action plans, for the people who may see a team: its leads and HR change them; viewers read
 * them. Every route about one team is @TeamScoped (404 for a team the caller may not see); an
 * action of another team under this one's address is a 404 too.
 */
@ApiExcludeController()
@Controller()
export class ActionPagesController {
  constructor(
    private readonly actions: ActionsService,
    private readonly changes: ActionChangesService,
    private readonly origins: ActionOriginsService,
    private readonly accounts: AccountsService,
    private readonly flash: Flash,
  ) {}

  /**
   * A team's actions, by due date. Leads and HR see and change them all; a viewer reads the
   * published ones only (internal actions are for the team's leads and HR).
   */
  @Get('teams/:slug/actions')
  @Pages()
  @TeamScoped()
  async teamList(
    @Param('slug') slug: string,
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const team = await this.team(slug);
    const path = `/teams/${slug}/actions`;
    const notice = this.flash.take<string>(request, reply, path);
    // Internal actions are for the team's leads and HR; a viewer reads what employees read.
    const viewer = user.role === 'viewer';
    const { items } = await this.actions.list('all', {
      teamIds: [team.id],
      published: viewer ? true : undefined,
      limit: 500,
      offset: 0,
    });
    const today = this.actions.today();
    const words = wordsOf(request);
    return reply.view(
      'pages/actions/team.hbs',
      pageContext(request, words.t('action_pages.team_title', { team: team.name }), {
        team,
        notice,
        canEdit: !viewer,
        viewer,
        actions: items.map((a) => actionRow(a, today, words)),
      }),
    );
  }

  @Get('teams/:slug/actions/new')
  @Pages('admin', 'lead')
  @TeamScoped()
  async newForm(
    @Param('slug') slug: string,
    @Query() query: NewActionQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const team = await this.team(slug);
    const prefill = await this.origins.prefill(team, query, requestLocale(request));
    return this.renderForm(request, reply, 200, team, {
      prefill,
      values: formValues({ heard: prefill.heard, status: 'planned' }),
    });
  }

  @Post('teams/:slug/actions')
  @Pages('admin', 'lead')
  @TeamScoped()
  async create(
    @Param('slug') slug: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const team = await this.team(slug);
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.changes.create(team, readActionForm(form, true), {
          actor: principal,
          ip: request.ip,
        });
        return this.back(request, reply, team, wordsOf(request).t('action_pages.created'));
      },
      (error, status) =>
        this.renderForm(request, reply, status, team, {
          prefill: prefillOfForm(form),
          values: formValues(form),
          errors: problemsOf(request, error),
        }),
    );
  }

  @Get('teams/:slug/actions/:id/edit')
  @Pages('admin', 'lead')
  @TeamScoped()
  async editForm(
    @Param('slug') slug: string,
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const team = await this.team(slug);
    const action = await this.actions.get(id, 'all', team.id);
    return this.renderForm(request, reply, 200, team, {
      action,
      values: formValues(formSourceOf(action)),
    });
  }

  @Post('teams/:slug/actions/:id')
  @Pages('admin', 'lead')
  @TeamScoped()
  async update(
    @Param('slug') slug: string,
    @Param('id', uuid) id: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const team = await this.team(slug);
    const action = await this.actions.get(id, 'all', team.id);
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.changes.update(action, readActionForm(form, false), {
          actor: principal,
          ip: request.ip,
        });
        return this.back(request, reply, team, wordsOf(request).t('action_pages.saved'));
      },
      (error, status) =>
        this.renderForm(request, reply, status, team, {
          action,
          values: formValues(form),
          errors: problemsOf(request, error),
        }),
    );
  }

  /** The list's quick status change: `status`, and for done an optional `doneOn`. */
  @Post('teams/:slug/actions/:id/status')
  @Pages('admin', 'lead')
  @TeamScoped()
  async setStatus(
    @Param('slug') slug: string,
    @Param('id', uuid) id: string,
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const team = await this.team(slug);
    const action = await this.actions.get(id, 'all', team.id);
    const form = asForm(body);
    const status = textField(form, 'status');
    const doneOn = textField(form, 'doneOn');
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.changes.update(
          action,
          { status, ...(status === 'done' && doneOn ? { doneOn } : {}) },
          { actor: principal, ip: request.ip },
        );
        return this.back(
          request,
          reply,
          team,
          wordsOf(request).t(`action_pages.status_changed.${status}`),
        );
      },
      async (error, statusCode) => {
        const { items } = await this.actions.list('all', {
          teamIds: [team.id],
          limit: 500,
          offset: 0,
        });
        const today = this.actions.today();
        const words = wordsOf(request);
        return reply.code(statusCode).view(
          'pages/actions/team.hbs',
          pageContext(request, words.t('action_pages.team_title', { team: team.name }), {
            team,
            canEdit: true,
            errors: problemsOf(request, error),
            actions: items.map((a) => actionRow(a, today, words)),
          }),
        );
      },
    );
  }

  /**
   * Every action HR (or a lead) may see, in one list: all teams for HR, their own teams for a
   * lead; filtered by status, team, overdue and published; sorted by due date.
   */
  @Get('actions')
  @Pages('admin', 'lead')
  async all(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ActionPageQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const visible = await this.accounts.visibleTeams(principal);
    const teams = (await this.actions.allTeams()).filter(
      (t) => visible === 'all' || visible.has(t.id),
    );
    const chosen = query.team ? teams.find((t) => t.slug === query.team) : undefined;
    const today = this.actions.today();
    const offset = query.offset ?? 0;
    const { items, total } =
      query.team && !chosen
        ? { items: [], total: 0 }
        : await this.actions.list(visible, {
            teamIds: chosen ? [chosen.id] : undefined,
            status: query.status,
            published: query.published === undefined ? undefined : query.published === 'true',
            dueBefore: query.overdue === 'yes' ? today : query.due_before,
            limit: PAGE,
            offset,
          });
    const params = (at: number) =>
      new URLSearchParams({
        ...(query.status ? { status: query.status } : {}),
        ...(query.team ? { team: query.team } : {}),
        ...(query.overdue ? { overdue: query.overdue } : {}),
        ...(query.published ? { published: query.published } : {}),
        offset: String(at),
      }).toString();
    const words = wordsOf(request);
    return reply.view(
      'pages/actions/all.hbs',
      pageContext(request, words.t('action_pages.title'), {
        actions: items.map((a) => actionRow(a, today, words)),
        total,
        from: total === 0 ? 0 : offset + 1,
        to: offset + items.length,
        previous: offset > 0 ? `/actions?${params(Math.max(0, offset - PAGE))}` : undefined,
        next: offset + PAGE < total ? `/actions?${params(offset + PAGE)}` : undefined,
        teams: teams.map((t) => ({ ...t, selected: t.slug === query.team })),
        statuses: ACTION_STATUSES.map((s) => ({
          value: s,
          label: words.status(s),
          selected: s === query.status,
        })),
        overdue: query.overdue === 'yes',
        published: query.published,
      }),
    );
  }

  private async team(slug: string): Promise<Team> {
    // @TeamScoped has checked the team exists and that the caller may see it.
    return (await this.actions.teamBySlug(slug)) as Team;
  }

  private back(request: FastifyRequest, reply: FastifyReply, team: Team, notice: string) {
    const path = `/teams/${team.slug}/actions`;
    this.flash.set(request, reply, path, notice);
    return reply.redirect(path, 303);
  }

  private async renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    team: Team,
    extra: {
      action?: { id: string };
      prefill?: OriginPrefill;
      values: ReturnType<typeof formValues>;
      errors?: string[];
    },
  ) {
    const owners = await this.actions.ownersFor(team.id);
    const words = wordsOf(request);
    const values = {
      ...extra.values,
      translations: extra.values.translations.map((tr) => ({
        ...tr,
        name: words.language(tr.locale),
      })),
    };
    return reply.code(status).view(
      'pages/actions/form.hbs',
      pageContext(
        request,
        words.t(extra.action ? 'action_pages.form.title_edit' : 'action_pages.form.title_new'),
        {
          team,
          ...extra,
          values,
          editing: extra.action !== undefined,
          formAction: extra.action
            ? `/teams/${team.slug}/actions/${extra.action.id}`
            : `/teams/${team.slug}/actions`,
          owners: owners.map((o) => ({
            ...o,
            roleLabel: words.role(o.role),
            selected: o.id === values.ownerId,
          })),
          locales: ACTION_LOCALES.map((l) => ({
            value: l,
            name: words.language(l),
            selected: l === values.locale,
          })),
          statuses: ACTION_STATUSES.map((s) => ({
            value: s,
            label: words.status(s),
            selected: s === values.status,
          })),
          refs: extra.prefill
            ? Object.entries(extra.prefill.ref).map(([key, value]) => ({ key, value }))
            : [],
        },
      ),
    );
  }
}

/** The reader's words for the action pages. */
function wordsOf(request: FastifyRequest) {
  return actionWords(sharedI18n(), requestLocale(request));
}

/** A domain error's problems in the form's words, in the reader's language. */
function problemsOf(request: FastifyRequest, error: Parameters<typeof actionProblems>[2]) {
  return actionProblems(sharedI18n(), requestLocale(request), error);
}

/** The origin fields the new form carried, to carry them again when it is shown with errors. */
function prefillOfForm(form: Record<string, unknown>): OriginPrefill {
  const ref: Record<string, string> = {};
  for (const key of ['questionId', 'period', 'at', 'followUpId']) {
    const value = textField(form, `ref_${key}`);
    if (value) ref[key] = value.slice(0, 64);
  }
  const origin = textField(form, 'origin');
  return {
    origin: (['question', 'comments', 'follow_up'].includes(origin)
      ? origin
      : 'other') as OriginPrefill['origin'],
    ref,
    heard: '',
    context: '',
    warnQuotes: origin === 'comments' || origin === 'follow_up',
  };
}
