import { Body, Controller, Get, Headers, Param, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  Api,
  CurrentPrincipal,
  type Principal,
  TeamScoped,
} from '../../common/access/access.decorator';
import { TeamProfileDto } from '../teams/dto/team-profile.dto';
import { TeamProfilesService } from './team-profiles.service';

/**
 * A team's profile: purpose per language, hours in its time zone, exceptions, channels and
 * service standards (first response and resolution targets). PUT replaces it whole; GET and
 * PUT answer an ETag, and a PUT with If-Match is refused (409 team.profile_changed) when the
 * profile changed since.
 */
@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamProfileController {
  constructor(private readonly profiles: TeamProfilesService) {}

  @Get(':slug/profile')
  @Api('directory:read')
  @TeamScoped()
  async get(@Param('slug') slug: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const { team, profile, version } = await this.profiles.get(slug);
    reply.header('ETag', `"${version}"`);
    return { slug: team.slug, name: team.name, ...profile };
  }

  @Put(':slug/profile')
  @Api('directory:write')
  @TeamScoped()
  async put(
    @Param('slug') slug: string,
    @Body() body: TeamProfileDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch?: string,
  ) {
    // If-Match: the ETag of the GET it started from; a profile changed since answers 409.
    const basedOn = ifMatch ? ifMatch.trim().replace(/^W\//, '').replace(/^"|"$/g, '') : undefined;
    const { team, profile, changed, version } = await this.profiles.update(
      principal,
      slug,
      body,
      request.ip,
      basedOn,
    );
    reply.header('ETag', `"${version}"`);
    return { slug: team.slug, name: team.name, ...profile, changed };
  }
}
