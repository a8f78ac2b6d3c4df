import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { openJson, sealJson } from '../crypto/sealing';

export const FLASH_COOKIE = 'inpulse_flash';
const FLASH_PURPOSE = 'page-flash';
/** Long enough for the redirect that follows the POST, short enough to be forgotten. */
const FLASH_SECONDS = 120;

interface Sealed {
  /** The page it is for, the person it is for, when it stops being shown. */
  p: string;
  u: string;
  e: number;
  v: unknown;
}

/**
 * What a page must show once, after the POST that made it redirected there (post/redirect/get):
 * a new signing secret, an API token, a set-up link. Such values never go into a URL (history,
 * logs, Referer); they travel in a short-lived HttpOnly cookie sealed with a key derived from
 * APP_SECRET, scoped to the page, bound to the signed-in person, and cleared by the page that
 * shows it, so a reload shows it no more and repeats nothing.
 */
@Injectable()
export class Flash {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Leaves `value` for the next GET of `path` by the person signed in on this request. */
  set(request: FastifyRequest, reply: FastifyReply, path: string, value: unknown): void {
    const sealed: Sealed = {
      p: path,
      u: personOf(request),
      e: Date.now() + FLASH_SECONDS * 1000,
      v: value,
    };
    reply.setCookie(
      FLASH_COOKIE,
      sealJson(this.config.appSecret, FLASH_PURPOSE, sealed).toString('base64url'),
      { ...this.cookieOptions(path), maxAge: FLASH_SECONDS },
    );
  }

  /** The value left for this page and person, once: the cookie is cleared whatever it holds. */
  take<T>(request: FastifyRequest, reply: FastifyReply, path: string): T | undefined {
    const raw = request.cookies?.[FLASH_COOKIE];
    if (typeof raw !== 'string' || raw === '') return undefined;
    reply.clearCookie(FLASH_COOKIE, this.cookieOptions(path));
    reply.header('Cache-Control', 'no-store');
    if (raw.length > 8192) return undefined;
    const sealed = openJson<Sealed>(
      this.config.appSecret,
      FLASH_PURPOSE,
      Buffer.from(raw, 'base64url'),
    );
    if (!sealed || sealed.p !== path || sealed.u !== personOf(request) || sealed.e < Date.now())
      return undefined;
    return sealed.v as T;
  }

  private cookieOptions(path: string) {
    return {
      path,
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: this.config.baseUrl.startsWith('https:'),
    };
  }
}

function personOf(request: FastifyRequest): string {
  return request.principal ? `${request.principal.kind}:${request.principal.id}` : '';
}
