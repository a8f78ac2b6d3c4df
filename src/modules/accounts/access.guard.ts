import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { NotFoundException } from '@nestjs/common';
import { ACCESS, type AccessRule, TEAM_SCOPE } from '../../common/access/access.decorator';
import { sentFromThisSite } from '../../common/http/same-origin';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { AccountErrors } from './accounts.errors';
import { AccountsService } from './accounts.service';
import { ApiTokensService } from './api-tokens.service';
import { SessionsService } from './sessions.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one gate of every route: reads the route's declared rule (a route without one is
 * refused), authenticates the session or API token it asks for, checks role or scope, and —
 * for pages — that every state-changing form comes from this site (Origin / Sec-Fetch-Site)
 * and carries the session's CSRF token.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly apiTokens: ApiTokensService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!rule) throw AccountErrors.undeclaredAccess();
    if (rule.kind === 'public') return true;

    if (rule.kind === 'api') {
      const value = bearerToken(request);
      if (!value) {
        throw AccountErrors.tokenRequired();
      }
      const token = await this.apiTokens.authenticateToken(value);
      if (!token) throw AccountErrors.tokenInvalid();
      request.principal = token;
      if (!token.scopes.includes(rule.scope) && !token.scopes.includes('admin')) {
        await this.denied(request, { scope: rule.scope });
        throw AccountErrors.scopeMissing(rule.scope);
      }
      return this.checkTeam(context, request);
    }

    const user = await this.sessions.authenticateSession(
      request.cookies?.[this.sessions.sessionCookie],
    );
    if (!user) throw AccountErrors.loginRequired();
    request.principal = user;
    if (!rule.roles.includes(user.role)) {
      await this.denied(request, { role: user.role });
      throw AccountErrors.forbidden();
    }
    if (!SAFE_METHODS.has(request.method)) {
      if (!sentFromThisSite(request.headers, this.config.baseUrl)) throw AccountErrors.crossSite();
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (!this.sessions.csrfMatches(user, body._csrf)) throw AccountErrors.badCsrf();
    }
    return this.checkTeam(context, request);
  }

  /** For a @TeamScoped route: 404 (and an audit entry) unless the caller may see the team. */
  private async checkTeam(context: ExecutionContext, request: FastifyRequest): Promise<boolean> {
    const param = this.reflector.getAllAndOverride<string | undefined>(TEAM_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!param) return true;
    const slug = (request.params as Record<string, string>)[param];
    const teamId = await this.accounts.teamIdBySlug(slug);
    if (teamId === undefined) throw new NotFoundException();
    const visible = await this.accounts.visibleTeams(request.principal);
    if (visible !== 'all' && !visible.has(teamId)) {
      await this.denied(request, { team: slug });
      throw new NotFoundException();
    }
    return true;
  }

  private denied(request: FastifyRequest, details: Record<string, unknown>) {
    return this.audit.record({
      action: 'access.denied',
      actor: request.principal,
      target: `${request.method} ${request.url.split('?')[0]}`.slice(0, 400),
      ip: request.ip,
      details,
    });
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const [scheme, value] = auth.split(' ', 2);
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined;
}
