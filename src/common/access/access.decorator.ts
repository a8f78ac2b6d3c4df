import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ROLES, type Role, type Scope } from './roles';

/**
 * Every route declares who may call it; a route without a rule is refused, and a test walks
 * every registered route to make sure none lacks one.
 * - `@Public()`: anyone (survey links, health, login, static pages).
 * - `@Pages(...roles)`: a signed-in person with one of these roles (all roles when none given).
 * - `@Api(scope)`: an API token holding this scope (or `admin`).
 */
export type AccessRule =
  { kind: 'public' } | { kind: 'pages'; roles: readonly Role[] } | { kind: 'api'; scope: Scope };

export const ACCESS = 'inpulse:access';

export const Public = () => SetMetadata(ACCESS, { kind: 'public' } satisfies AccessRule);
export const Pages = (...roles: Role[]) =>
  SetMetadata(ACCESS, {
    kind: 'pages',
    roles: roles.length > 0 ? roles : ROLES,
  } satisfies AccessRule);
export const Api = (scope: Scope) =>
  SetMetadata(ACCESS, { kind: 'api', scope } satisfies AccessRule);

export const TEAM_SCOPE = 'inpulse:team-scope';

/**
 * Marks a route about one team, named by the route parameter `param` (a slug). The access guard
 * then answers 404 — as if the team did not exist — to anyone who may not see that team, and
 * audits it; so no page or API route can forget the check.
 */
export const TeamScoped = (param = 'slug') => SetMetadata(TEAM_SCOPE, param);

export interface SignedInUser {
  kind: 'user';
  id: string;
  email: string;
  name: string;
  role: Role;
  csrfToken: string;
  /** The language chosen for signed-in pages, if any (else the browser's). */
  locale?: string | null;
  /** The person's IANA time zone, if set (dates in pages and mails to them). */
  timeZone?: string | null;
}

export interface TokenPrincipal {
  kind: 'token';
  id: string;
  name: string;
  scopes: Scope[];
}

export type Principal = SignedInUser | TokenPrincipal;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The signed-in person of a `@Pages` route. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  return principal?.kind === 'user' ? principal : undefined;
});

/** Whoever called: a person or a token. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<FastifyRequest>().principal,
);
