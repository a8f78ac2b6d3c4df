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
import { type Caller, ScimUsersService } from './scim-users.service';

/** SCIM 2.0 Users (RFC 7644 §3): the directory's employees, for identity providers. */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  @Api('scim')
  async list(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return scimReply(reply, await this.users.list(singleValues(query)));
  }

  @Get(':id')
  @Api('scim')
  async read(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return scimReply(reply, await this.users.read(id, singleValues(query)), {
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
    return scimReply(reply, await this.users.create(body, caller(request)), { created: true });
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
    return scimReply(reply, await this.users.replace(id, body, ifMatch, caller(request)));
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
    return scimReply(reply, await this.users.patch(id, body, ifMatch, caller(request)));
  }

  @Delete(':id')
  @Api('scim')
  @HttpCode(204)
  async remove(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.users.remove(id, ifMatch, caller(request));
  }
}

export function caller(request: FastifyRequest): Caller {
  return { actor: request.principal, ip: request.ip };
}
