import { Controller, Get, NotFoundException, Param, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  CurrentPrincipal,
  Pages,
  type Principal,
  TeamScoped,
} from '../../common/access/access.decorator';
import { pageContext } from '../../common/views/page-context';
import { AccountsService } from '../accounts/accounts.service';
import { TeamsService } from './teams.service';

/**
 * The teams a person may see (leads and viewers: the teams they were given and those below).
 * Asking for any other team answers 404, as if it did not exist, and is audited (by the access
 * guard, for every @TeamScoped route).
 */
@ApiExcludeController()
@Controller()
export class TeamPagesController {
  constructor(
    private readonly teams: TeamsService,
    private readonly accounts: AccountsService,
  ) {}

  @Get()
  @Pages()
  @Render('pages/teams/overview.hbs')
  async overview(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest) {
    const visible = await this.accounts.visibleTeams(principal);
    const teams = (await this.teams.list()).filter((t) => visible === 'all' || visible.has(t.id));
    return pageContext(request, 'Teams', { teams });
  }

  @Get('teams/:slug')
  @Pages()
  @TeamScoped()
  @Render('pages/teams/team.hbs')
  async team(
    @Param('slug') slug: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const all = await this.teams.list();
    const team = all.find((t) => t.slug === slug);
    if (!team) throw new NotFoundException();
    const visible = await this.accounts.visibleTeams(principal);
    const children = all.filter((t) => t.parentId === team.id);
    const parent = all.find((t) => t.id === team.parentId);
    return pageContext(request, team.name, {
      team,
      parent: parent && (visible === 'all' || visible.has(parent.id)) ? parent : undefined,
      children,
    });
  }
}
