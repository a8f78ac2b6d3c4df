/** The OIDC_* variables of the configuration (docs/sso.md), read by loadConfig. */

/** OIDC_* (README, "Sign-in through an identity provider"; docs/sso.md). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE alone). */
  clientSecret: string | undefined;
  redirectUri: string;
  /** Space-separated, always with `openid`. */
  scopes: string;
  /** The claim holding the person's groups or roles (a list of strings, or one string). */
  groupsClaim: string;
  /** Create an account on a first sign-in that a mapping rule maps. */
  allowCreate: boolean;
}

/**
 * OIDC_*: nothing when OIDC_ISSUER is unset (and then no other OIDC_ variable may be). The
 * issuer must be https, except on this machine (a provider on localhost: tests and the demo).
 */
export function oidcConfig(
  read: (name: string) => string | undefined,
  bool: (name: string, fallback: boolean) => boolean,
  url: (name: string, protocols: string[]) => string | undefined,
  baseUrl: string,
  problems: string[],
): OidcConfig | undefined {
  const others = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI', 'OIDC_SCOPES'];
  if (read('OIDC_ISSUER') === undefined) {
    const stray = others.filter((name) => read(name) !== undefined);
    if (stray.length > 0)
      problems.push(
        `${stray.join(', ')} set without OIDC_ISSUER: set the issuer too, or unset them`,
      );
    return undefined;
  }
  const issuer = url('OIDC_ISSUER', ['https:', 'http:']);
  if (issuer !== undefined && !isSecureOrLocal(issuer))
    problems.push(
      `OIDC_ISSUER must be an https:// URL (http:// only for localhost); got "${issuer}"`,
    );
  const clientId = read('OIDC_CLIENT_ID');
  if (clientId === undefined) problems.push('OIDC_CLIENT_ID is required with OIDC_ISSUER');
  const redirectUri = url('OIDC_REDIRECT_URI', ['https:', 'http:']) ?? `${baseUrl}/sso/callback`;
  const scopes = (read('OIDC_SCOPES') ?? 'openid email profile').split(/[\s,]+/).filter(Boolean);
  if (!scopes.includes('openid'))
    problems.push(`OIDC_SCOPES must include openid (got "${scopes.join(' ')}")`);
  if (scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(scope)))
    problems.push('OIDC_SCOPES must be scope names separated by spaces');
  const groupsClaim = read('OIDC_GROUPS_CLAIM') ?? 'groups';
  if (!/^[A-Za-z0-9_:./-]{1,200}$/.test(groupsClaim))
    problems.push(`OIDC_GROUPS_CLAIM must be a claim name (got "${groupsClaim.slice(0, 60)}")`);
  const allowCreate = bool('OIDC_ALLOW_CREATE', false);
  if (issuer === undefined || clientId === undefined) return undefined;
  return {
    issuer: issuer.replace(/\/+$/, ''),
    clientId,
    clientSecret: read('OIDC_CLIENT_SECRET'),
    redirectUri,
    scopes: scopes.join(' '),
    groupsClaim,
    allowCreate,
  };
}

function isSecureOrLocal(raw: string): boolean {
  const parsed = new URL(raw);
  return (
    parsed.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)
  );
}
