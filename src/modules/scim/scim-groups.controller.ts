import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Api } from '../../common/access/access.decorator';
import { scimReply } from './scim-reply';
import { requireScimJson, singleValues } from './scim-request';
import { ScimGroupsService } from './scim-groups.service';
import { caller } from './scim-users.controller';

/** SCIM 2.0 Groups: groups of employees an identity provider pushes. */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('scim/v2/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  @Api('scim')
  async list(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return scimReply(reply, await this.groups.list(singleValues(query)));
  }

  @Get(':id')
  @Api('scim')
  async read(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return scimReply(reply, await this.groups.read(id, singleValues(query)), {
      ifNoneMatch,
    });
  }

  @Post()
  @Api('scim')
  async create(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    requireScimJson(contentType);
    return scimReply(reply, await this.groups.create(body, caller(request)), { created: true });
  }

  @Put(':id')
  @Api('scim')
  async replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    requireScimJson(contentType);
    return scimReply(reply, await this.groups.replace(id, body, ifMatch, caller(request)));
  }

  @Patch(':id')
  @Api('scim')
  async patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    requireScimJson(contentType);
    return scimReply(reply, await this.groups.patch(id, body, ifMatch, caller(request)));
  }

  @Delete(':id')
  @Api('scim')
  @HttpCode(204)
  async remove(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.groups.remove(id, ifMatch, caller(request));
  }
}
