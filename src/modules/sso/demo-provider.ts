import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { EnvConfig, OidcConfig } from '../../config/app-config';
import { type LocalAccount, LocalOidcProvider } from './local-provider';
import { SsoSettingsService } from './sso-settings.service';

/** The demo's people at its identity provider: their login, e-mail and groups. */
export const DEMO_PROVIDER_PEOPLE: (LocalAccount & { role: string })[] = [
  {
    id: 'hr',
    email: 'admin@inpulse.demo',
    name: 'Ada Admin',
    groups: ['hr-admins'],
    role: 'admin',
  },
  {
    id: 'it-lead',
    email: 'lead@inpulse.demo',
    name: 'Leo Lead',
    groups: ['it-leads'],
    role: 'lead of IT',
  },
  {
    id: 'fac-lead',
    email: 'fay.lead@inpulse.demo',
    name: 'Fay Lead',
    groups: ['facilities-leads'],
    role: 'lead of Facilities (account created at first sign-in)',
  },
  {
    id: 'viewer',
    email: 'viewer@inpulse.demo',
    name: 'Vera Viewer',
    groups: ['facilities-viewers'],
    role: 'viewer of Facilities',
  },
  {
    id: 'guest',
    email: 'guest@inpulse.demo',
    name: 'Gus Guest',
    groups: ['marketing'],
    role: 'no mapped group: refused',
  },
];

/** The demo's mapping rules (group → role, team slug), added once on a database without rules. */
const DEMO_RULES = [
  { groupName: 'hr-admins', role: 'admin', teamSlug: '' },
  { groupName: 'it-leads', role: 'lead', teamSlug: 'it' },
  { groupName: 'facilities-leads', role: 'lead', teamSlug: 'facilities' },
  { groupName: 'facilities-viewers', role: 'viewer', teamSlug: 'facilities' },
];

/**
 * DEMO_OIDC=true: a local OpenID provider (oidc-provider) on PORT + 1 with the demo's people, and
 * the OIDC configuration that points inpulse at it. Demo mode only.
 */
export async function startDemoProvider(
  env: EnvConfig,
): Promise<{ provider: LocalOidcProvider; oidc: OidcConfig }> {
  const clientSecret = randomBytes(24).toString('base64url');
  const redirectUri = `${env.baseUrl}/sso/callback`;
  const provider = await LocalOidcProvider.start({
    port: env.port + 1,
    accounts: DEMO_PROVIDER_PEOPLE.map(({ role: _role, ...person }) => person),
    clients: [
      {
        clientId: 'inpulse-demo',
        clientSecret,
        redirectUris: [redirectUri],
        postLogoutRedirectUris: [`${env.baseUrl}/login`],
      },
    ],
  });
  return {
    provider,
    oidc: {
      issuer: provider.issuer,
      clientId: 'inpulse-demo',
      clientSecret,
      redirectUri,
      scopes: 'openid email profile',
      groupsClaim: 'groups',
      allowCreate: true,
    },
  };
}

/** The demo's rules, once (HR may change them at /admin/sso afterwards), and the banner's lines. */
export async function demoProviderBanner(
  app: INestApplicationContext,
  provider: { issuer: string },
  baseUrl: string,
): Promise<string[]> {
  const settings = app.get(SsoSettingsService);
  if ((await settings.rules()).length === 0) {
    for (const rule of DEMO_RULES) await settings.addRule(undefined, rule, { ip: '127.0.0.1' });
  }
  return [
    `  SSO (DEMO_OIDC): a local identity provider runs at ${provider.issuer}`,
    `    on ${baseUrl}/login choose "Sign in with your company account", then type one of these`,
    '    logins at the provider (any password):',
    ...DEMO_PROVIDER_PEOPLE.map((p) => `      ${p.id.padEnd(9)} ${p.email.padEnd(22)} ${p.role}`),
    `    mapping rules and "SSO only": ${baseUrl}/admin/sso (as admin)`,
  ];
}
