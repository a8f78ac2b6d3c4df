import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { Api, TeamScoped } from '../../common/access/access.decorator';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateTeamDto } from './dto/create-team.dto';
import { TeamsService } from './teams.service';

@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @Api('directory:write')
  create(@Body() body: CreateTeamDto) {
    return this.teams.create(body);
  }

  @Get()
  @Api('directory:read')
  async list() {
    return { items: await this.teams.list() };
  }

  @Get(':slug')
  @Api('directory:read')
  @TeamScoped()
  async get(@Param('slug') slug: string) {
    return this.teams.getBySlug(slug);
  }
}
