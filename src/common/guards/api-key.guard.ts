import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { IS_PUBLIC } from './public.decorator';

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Until accounts exist, everything that is not @Public needs the admin API key: as
 * `Authorization: Bearer <key>` or `X-Api-Key` on the API, or as the password of HTTP Basic
 * authentication on admin pages (the browser asks for it).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = this.presentedKey(request);
    if (key !== undefined && sameSecret(key, this.config.adminApiKey)) return true;
    if (!request.url.startsWith('/api/')) {
      context
        .switchToHttp()
        .getResponse<FastifyReply>()
        .header('WWW-Authenticate', 'Basic realm="inpulse admin", charset="UTF-8"');
    }
    throw new DomainError(
      'unauthorized',
      'auth.missing_api_key',
      key === undefined
        ? 'This call needs the admin API key: send it as "Authorization: Bearer <key>" or "X-Api-Key".'
        : 'The API key is not valid.',
    );
  }

  private presentedKey(request: FastifyRequest): string | undefined {
    const header = request.headers['x-api-key'];
    if (typeof header === 'string' && header !== '') return header;
    const auth = request.headers.authorization;
    if (typeof auth !== 'string') return undefined;
    const [scheme, value] = auth.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(colon + 1) : undefined;
    }
    return undefined;
  }
}
