import { ConfigError, loadConfig } from './app-config';

const base = { DEMO: 'false', APP_SECRET: 'x'.repeat(32), BASE_URL: 'https://inpulse.example.com' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('OIDC_* configuration', () => {
  it('is off without OIDC_ISSUER', () => {
    expect(loadConfig(base).oidc).toBeUndefined();
    expect(loadConfig(base).demoOidc).toBe(false);
  });

  it('has defaults derived from BASE_URL', () => {
    const config = loadConfig({
      ...base,
      OIDC_ISSUER: 'https://login.example.com/realms/acme/',
      OIDC_CLIENT_ID: 'inpulse',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://login.example.com/realms/acme',
      clientId: 'inpulse',
      clientSecret: undefined,
      redirectUri: 'https://inpulse.example.com/sso/callback',
      scopes: 'openid email profile',
      groupsClaim: 'groups',
      allowCreate: false,
    });
  });

  it('names every problem', () => {
    expect(problems({ OIDC_CLIENT_ID: 'x' })).toEqual([
      expect.stringContaining('OIDC_CLIENT_ID set without OIDC_ISSUER'),
    ]);
    expect(problems({ OIDC_ISSUER: 'https://idp.example.com' })).toEqual([
      'OIDC_CLIENT_ID is required with OIDC_ISSUER',
    ]);
    expect(problems({ OIDC_ISSUER: 'http://idp.example.com', OIDC_CLIENT_ID: 'x' })[0]).toContain(
      'must be an https:// URL',
    );
    expect(problems({ OIDC_ISSUER: 'http://localhost:9000', OIDC_CLIENT_ID: 'x' })).toEqual([]);
    expect(
      problems({
        OIDC_ISSUER: 'https://idp.example.com',
        OIDC_CLIENT_ID: 'x',
        OIDC_SCOPES: 'email',
      })[0],
    ).toContain('OIDC_SCOPES must include openid');
    expect(
      problems({
        OIDC_ISSUER: 'https://idp.example.com',
        OIDC_CLIENT_ID: 'x',
        OIDC_GROUPS_CLAIM: 'a b',
      })[0],
    ).toContain('OIDC_GROUPS_CLAIM');
    expect(problems({ DEMO_OIDC: 'true' })).toEqual(['DEMO_OIDC=true needs the demo (DEMO=true)']);
  });
});
