export const ROLES = ['admin', 'lead', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What an API token may do. `admin` includes every other scope, `scim` among them (an admin
 * token can already write the directory). `scim` grants nothing but /scim/v2: the token an
 * identity provider holds can provision people, never read surveys, reports or the audit log.
 */
export const SCOPES = [
  'directory:read',
  'directory:write',
  'surveys:read',
  'surveys:write',
  'reports:read',
  'actions:read',
  'actions:write',
  'mail:read',
  'audit:read',
  'scim',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];
