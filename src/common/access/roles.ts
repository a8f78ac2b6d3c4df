export const ROLES = ['admin', 'lead', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What an API token may do. `admin` includes every other scope. */
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
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];
