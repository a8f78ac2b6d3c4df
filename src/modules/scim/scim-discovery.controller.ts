import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import SCIMMY from 'scimmy';
import { Api } from '../../common/access/access.decorator';
import { scimReply } from './scim-reply';
import { ScimErrors } from './scim.errors';
import { ScimUsersService } from './scim-users.service';

/**
 * What the service provider supports (RFC 7644 §4), as scimmy describes the declared schemas:
 * /ServiceProviderConfig, /ResourceTypes, /Schemas. Behind the scim scope like the rest.
 */
@ApiExcludeController()
@Controller('scim/v2')
export class ScimDiscoveryController {
  // Declares the schemas (ScimUsersService's constructor) before any of these is read.
  constructor(readonly users: ScimUsersService) {}

  @Get('ServiceProviderConfig')
  @Api('scim')
  async serviceProviderConfig(@Res({ passthrough: true }) reply: FastifyReply) {
    return scimReply(reply, await described(new SCIMMY.Resources.ServiceProviderConfig()));
  }

  @Get('ResourceTypes')
  @Api('scim')
  async resourceTypes(@Res({ passthrough: true }) reply: FastifyReply) {
    return scimReply(reply, await described(new SCIMMY.Resources.ResourceType()));
  }

  @Get('ResourceTypes/:id')
  @Api('scim')
  async resourceType(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return scimReply(reply, await described(new SCIMMY.Resources.ResourceType(id)));
  }

  @Get('Schemas')
  @Api('scim')
  async schemas(@Res({ passthrough: true }) reply: FastifyReply) {
    return scimReply(reply, await described(new SCIMMY.Resources.Schema()));
  }

  @Get('Schemas/:id')
  @Api('scim')
  async schema(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return scimReply(reply, await described(new SCIMMY.Resources.Schema(id)));
  }
}

async function described(resource: { read(): Promise<unknown> }) {
  try {
    return JSON.parse(JSON.stringify(await resource.read())) as Record<string, unknown>;
  } catch (exception) {
    throw ScimErrors.fromLibrary(exception) ?? exception;
  }
}
