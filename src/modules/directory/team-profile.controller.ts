import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
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
 * service standards (first response and resolution targets). PUT replaces it whole.
 */
@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamProfileController {
  constructor(private readonly profiles: TeamProfilesService) {}

  @Get(':slug/profile')
  @Api('directory:read')
  @TeamScoped()
  async get(@Param('slug') slug: string) {
    const { team, profile } = await this.profiles.get(slug);
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
  ) {
    const { team, profile, changed } = await this.profiles.update(
      principal,
      slug,
      body,
      request.ip,
    );
    return { slug: team.slug, name: team.name, ...profile, changed };
  }
}
