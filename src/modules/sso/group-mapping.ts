import type { Role } from '../../common/access/roles';

export interface MappingRule {
  groupName: string;
  role: Role;
  teamId: string | null;
}

export interface MappedAccess {
  role: Role;
  /** The teams of the matched rules of that role (none for an admin). */
  teamIds: string[];
}

const STRENGTH: Record<Role, number> = { admin: 3, lead: 2, viewer: 1 };

/**
 * What a person's groups give them: the strongest role any matched rule gives, with the teams
 * of the matched rules of that role only (a viewer rule never makes its team a lead's). Groups
 * match rules exactly (case and all). Undefined when no rule matches.
 */
export function mapGroups(groups: readonly string[], rules: readonly MappingRule[]) {
  const mine = new Set(groups);
  const matched = rules.filter((rule) => mine.has(rule.groupName));
  if (matched.length === 0) return undefined;
  const role = matched.reduce<Role>(
    (best, rule) => (STRENGTH[rule.role] > STRENGTH[best] ? rule.role : best),
    'viewer',
  );
  const teamIds =
    role === 'admin'
      ? []
      : [...new Set(matched.filter((r) => r.role === role).map((r) => r.teamId as string))];
  return { role, teamIds } satisfies MappedAccess;
}

/**
 * The groups in a claim: a list of strings, or one string. `claim` may be a dotted path into
 * nested claims (Keycloak's `realm_access.roles`) when no claim has that exact name.
 */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  let value: unknown = claims[claim];
  if (value === undefined && claim.includes('.')) {
    value = claim
      .split('.')
      .reduce<unknown>(
        (at, key) =>
          typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined,
        claims,
      );
  }
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list
    .filter((g): g is string => typeof g === 'string')
    .map((g) => g.trim())
    .filter((g) => g.length > 0 && g.length <= 200)
    .slice(0, 500);
}

/** `email_verified` as providers send it: true, or the string "true" (some send strings). */
export function emailVerified(claims: Record<string, unknown>): boolean {
  return claims.email_verified === true || claims.email_verified === 'true';
}
