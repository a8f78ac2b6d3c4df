import { createPrivateKey, sign } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type LocalAccount,
  LocalOidcProvider,
  newSigningKey,
} from '../../src/modules/sso/local-provider';

export const TEST_CLIENT_ID = 'inpulse';
export const TEST_CLIENT_SECRET = 'inpulse-test-client-secret-0123456789';
/** A second client of the same provider: its ID tokens have another audience. */
export const OTHER_CLIENT_ID = 'other-app';

/** How the next ID token from the token endpoint is changed before it reaches inpulse. */
export type IdTokenTamper =
  /** Its claims changed (e-mail swapped) and signed again with a key that is not the provider's. */
  | { kind: 'resign-other-key'; email?: string }
  /** Signed by the provider's own key, but for another client (aud). */
  | { kind: 'audience'; aud: string };

export interface TestProvider {
  local: LocalOidcProvider;
  issuer: string;
  /** OIDC_* for startTestApp (or an app process) whose BASE_URL is `baseUrl`. */
  env: Record<string, string>;
  /** The next token response's ID token is changed so (once). */
  tamperNextIdToken(tamper: IdTokenTamper): void;
  /**
   * Signs `login` in at the provider, starting from inpulse's authorization URL (the Location of
   * /sso/start), as a browser would (cookies, redirects, the login form), and returns the URL the
   * provider sends the browser back to (inpulse's callback, with code and state).
   */
  signIn(authorizeUrl: string, login: string, options?: { abort?: boolean }): Promise<URL>;
  close(): Promise<void>;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

function resign(token: string, tamper: IdTokenTamper, providerKey: Record<string, unknown>) {
  const [headerPart, payloadPart] = token.split('.');
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as object;
  const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  let key = providerKey;
  if (tamper.kind === 'resign-other-key') {
    if (tamper.email) payload.email = tamper.email;
    key = newSigningKey(); // same kid in the header: only the signature can tell
  } else {
    payload.aud = tamper.aud;
  }
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign(
    'sha256',
    Buffer.from(signingInput),
    createPrivateKey({ key: key as never, format: 'jwk' }),
  );
  return `${signingInput}.${b64url(signature)}`;
}

/**
 * A real OpenID provider (oidc-provider 8, see src/modules/sso/local-provider.ts) on a free port
 * of this machine, with `accounts` and two clients: inpulse (redirect `${baseUrl}/sso/callback`,
 * sign-out back to `${baseUrl}/login`) and another application.
 */
export async function startTestProvider(
  accounts: LocalAccount[],
  options: { baseUrl?: string; allowCreate?: boolean } = {},
): Promise<TestProvider> {
  const baseUrl = options.baseUrl ?? 'http://localhost:3000';
  let tamper: IdTokenTamper | undefined;
  const started: { provider?: LocalOidcProvider } = {};
  const handler = (
    req: IncomingMessage,
    res: ServerResponse,
    forward: (req: IncomingMessage, res: ServerResponse) => void,
  ) => {
    const change = tamper;
    if (change && req.method === 'POST' && req.url?.startsWith('/token')) {
      tamper = undefined;
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      res.end = ((chunk?: unknown) => {
        if (res.statusCode !== 200 || chunk === undefined) return end(chunk);
        const body = JSON.parse(String(chunk)) as { id_token?: string };
        if (body.id_token)
          body.id_token = resign(
            body.id_token,
            change,
            (started.provider as LocalOidcProvider).key,
          );
        const text = JSON.stringify(body);
        res.setHeader('content-length', Buffer.byteLength(text));
        return end(text);
      }) as typeof res.end;
    }
    forward(req, res);
  };
  const provider = await LocalOidcProvider.start({
    accounts,
    clients: [
      {
        clientId: TEST_CLIENT_ID,
        clientSecret: TEST_CLIENT_SECRET,
        redirectUris: [`${baseUrl}/sso/callback`],
        postLogoutRedirectUris: [`${baseUrl}/login`],
      },
      {
        clientId: OTHER_CLIENT_ID,
        clientSecret: 'other-app-secret-0123456789abcdef',
        redirectUris: ['http://localhost:9/callback'],
        postLogoutRedirectUris: [],
      },
    ],
    handler,
  });
  started.provider = provider;
  return {
    local: provider,
    issuer: provider.issuer,
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: TEST_CLIENT_ID,
      OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
      ...(options.allowCreate ? { OIDC_ALLOW_CREATE: 'true' } : {}),
    },
    tamperNextIdToken(change) {
      tamper = change;
    },
    signIn: (authorizeUrl, login, signInOptions = {}) =>
      signInAtProvider(provider.issuer, authorizeUrl, login, signInOptions),
    close: () => provider.close(),
  };
}

/**
 * Walks a local provider's sign-in (any LocalOidcProvider: the tests' or the demo's) as a browser
 * would, from inpulse's authorization URL, and returns the URL it sends the browser back to.
 */
export async function signInAtProvider(
  issuer: string,
  authorizeUrl: string,
  login: string,
  signInOptions: { abort?: boolean } = {},
): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  let body: string | undefined;
  for (let step = 0; step < 10; step += 1) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      body,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    body = undefined;
    if (location) {
      const next = new URL(location, url);
      if (!next.href.startsWith(issuer)) return next;
      url = next.href;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action || !html.includes('name="login"'))
      throw new Error(`unexpected provider page ${url}: ${response.status} ${html.slice(0, 300)}`);
    url = new URL(action, url).href;
    // The person cancels at the provider: it answers inpulse with error=access_denied.
    if (signInOptions.abort) {
      url = `${url}/abort`;
      continue;
    }
    body = new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString();
  }
  throw new Error('the provider kept redirecting');
}
