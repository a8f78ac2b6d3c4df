import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  Api,
  CurrentPrincipal,
  CurrentUser,
  Pages,
  type Principal,
  type SignedInUser,
} from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { ReaderAccessService } from './reader-access.service';

/** Ends every directory reader pass at once and audits it (how many were still valid). */
async function revokeAll(
  access: ReaderAccessService,
  audit: AuditService,
  actor: Principal | undefined,
  ip: string,
): Promise<number> {
  const revoked = await access.revokeAllPasses();
  await audit.record({
    action: 'services.passes_revoked',
    actor,
    target: 'services reader passes',
    ip,
    details: { revoked },
  });
  return revoked;
}

/**
 * Directory reader passes (SERVICES_ACCESS=link, docs/directory.md): a pass names nobody, so
 * none can be revoked alone; an HR admin revokes them all (readers then ask for a new link).
 */
@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/v1/services/passes')
export class ReaderPassesController {
  constructor(
    private readonly access: ReaderAccessService,
    private readonly audit: AuditService,
  ) {}

  @Post('revoke-all')
  @Api('admin')
  @HttpCode(200)
  async revoke(@CurrentPrincipal() actor: Principal, @Req() request: FastifyRequest) {
    return { revoked: await revokeAll(this.access, this.audit, actor, request.ip) };
  }
}

/** The settings page's "revoke all directory passes" button (post/redirect/get). */
@ApiExcludeController()
@Controller('admin/settings/services-passes')
export class ReaderPassesPagesController {
  constructor(
    private readonly access: ReaderAccessService,
    private readonly audit: AuditService,
  ) {}

  @Post('revoke')
  @Pages('admin')
  async revoke(
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await revokeAll(this.access, this.audit, user, request.ip);
    return reply.redirect('/admin/settings?saved=1', 303);
  }
}
