import { type EnvConfig, loadConfig } from '../../src/config/app-config';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { demoProviderBanner, startDemoProvider } from '../../src/modules/sso/demo-provider';
import type { LocalOidcProvider } from '../../src/modules/sso/local-provider';
import { SsoSettingsService } from '../../src/modules/sso/sso-settings.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { freePort } from '../setup/free-port';
import { signInAtProvider } from '../setup/oidc-provider';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * DEMO_OIDC=true as main.ts runs it: the demo's provider on PORT + 1 with its people, inpulse
 * pointed at it, the demo's rules added once, and the banner's lines; a demo person signs in.
 */
describe('the demo identity provider (DEMO_OIDC)', () => {
  let provider: LocalOidcProvider;
  let t: TestApp;

  beforeAll(async () => {
    const port = (await freePort()) - 1;
    const env = loadConfig({
      DEMO: 'true',
      DEMO_OIDC: 'true',
      APP_SECRET: TEST_APP_SECRET,
      PORT: String(port),
      BASE_URL: 'http://localhost:3000',
    }) as EnvConfig;
    const started = await startDemoProvider(env);
    provider = started.provider;
    expect(provider.issuer).toBe(`http://localhost:${port + 1}`);
    const oidc = started.oidc;
    t = await startTestApp({
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret!,
      OIDC_ALLOW_CREATE: 'true',
    });
    const teams = t.get(TeamsService);
    await teams.create({ slug: 'it', name: 'IT' });
    await teams.create({ slug: 'facilities', name: 'Facilities' });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it('adds its rules once, prints how to sign in, and signs the demo people in', async () => {
    const lines = await demoProviderBanner(t.app, provider, 'http://localhost:3000');
    expect(lines.join('\n')).toContain(provider.issuer);
    expect(lines.join('\n')).toMatch(/fac-lead\s+fay\.lead@inpulse\.demo/);
    await demoProviderBanner(t.app, provider, 'http://localhost:3000');
    expect(await t.get(SsoSettingsService).rules()).toHaveLength(4);

    const signIn = async (login: string) => {
      const start = await t.request({ method: 'GET', url: '/sso/start' });
      const state = start.cookies.find((c) => c.name === 'inpulse_sso_state')!.value;
      const back = await signInAtProvider(provider.issuer, String(start.headers.location), login);
      return t.request({
        method: 'GET',
        url: `${back.pathname}${back.search}`,
        headers: { cookie: `inpulse_sso_state=${state}` },
      });
    };
    expect((await signIn('fac-lead')).statusCode).toBe(303);
    const fay = await t.get(AccountsService).findByEmail('fay.lead@inpulse.demo');
    expect(fay?.role).toBe('lead');
    expect((await signIn('hr')).statusCode).toBe(303);
    expect((await t.get(AccountsService).findByEmail('admin@inpulse.demo'))?.role).toBe('admin');
    const guest = await signIn('guest');
    expect(guest.statusCode).toBe(403);
    expect(guest.body).toContain('data-reason="no_mapping"');
  });
});
