import { Controller, Get, Param, ParseUUIDPipe, Post, Render, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Api, CurrentPrincipal, Pages, type Principal } from '../../common/access/access.decorator';
import { tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { AccountsService } from '../accounts/accounts.service';
import { FollowUpsService } from './follow-ups.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

/**
 * "You may contact me about this" requests, for the leads of the teams concerned (and HR).
 * Not anonymous by the respondent's choice, and not tied to any answer.
 */
@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller()
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly accounts: AccountsService,
  ) {}

  @Get('follow-ups')
  @Pages('admin', 'lead')
  @Render('pages/teams/follow-ups.hbs')
  @ApiExcludeEndpoint()
  async page(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest) {
    const items = await this.followUps.list(await this.accounts.visibleTeams(principal));
    return pageContext(request, tr(request)('follow_up_pages.title'), {
      open: items.filter((f) => f.doneOn === null),
      done: items.filter((f) => f.doneOn !== null),
    });
  }

  @Post('follow-ups/:id/done')
  @Pages('admin', 'lead')
  @ApiExcludeEndpoint()
  async done(
    @Param('id', uuid) id: string,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ) {
    await this.followUps.markDone(id, await this.accounts.visibleTeams(principal));
    return reply.redirect('/follow-ups', 303);
  }

  /** The same list as JSON: who asked to be contacted, about which team, and what they wrote. */
  @Get('api/v1/follow-ups')
  @Api('reports:read')
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.followUps.list(await this.accounts.visibleTeams(principal)) };
  }
}
