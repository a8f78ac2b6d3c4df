import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A person of the local provider: their login is `id` (any password). */
export interface LocalAccount {
  id: string;
  email: string;
  /** Defaults to true. */
  emailVerified?: boolean;
  name: string;
  groups: string[];
}

export interface LocalClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

/** Lets a test see and change what is served (e.g. the token endpoint's answer). */
export type ProviderHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  forward: (req: IncomingMessage, res: ServerResponse) => void,
) => void;

/** A private signing key of the provider, as JWK (RS256). */
export type SigningJwk = Record<string, unknown> & { kid: string };

interface OidcProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}

type OidcProviderClass = new (issuer: string, configuration: object) => OidcProviderInstance;

interface KoaLikeContext {
  oidc: {
    client?: { clientId: string };
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: {
      Grant: {
        new (init: { clientId: string; accountId?: string }): {
          addOIDCScope(scope: string): void;
          save(): Promise<string>;
        };
        find(id: string): Promise<unknown>;
      };
    };
  };
}

/**
 * `oidc-provider` is an ES module: loaded with import() (the app is CommonJS). Under Jest, which
 * turns it into CommonJS, the class sits one `default` deeper.
 */
async function providerClass(): Promise<OidcProviderClass> {
  const loaded = (await import('oidc-provider')) as { default: unknown };
  const inner = loaded.default as { default?: unknown };
  return (typeof inner === 'function' ? inner : inner.default) as OidcProviderClass;
}

export function newSigningKey(): SigningJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };
}

/**
 * A real OpenID Connect provider (`oidc-provider` 8) on this machine, for the demo
 * (DEMO_OIDC=true) and the tests: in-memory accounts with their groups, clients, a login page that
 * takes any password (oidc-provider's development interactions), consent granted to its clients,
 * the claims in the ID token, RP-initiated logout. `rotateKeys()` replaces its signing key (its
 * sign-ins in progress are forgotten; its issuer, port and clients stay).
 */
export class LocalOidcProvider {
  private provider: OidcProviderInstance | undefined;
  private readonly server: Server;
  /** The current signing key (private), as served (public part) at its jwks_uri. */
  key: SigningJwk = newSigningKey();

  private constructor(
    readonly issuer: string,
    private readonly accounts: LocalAccount[],
    private readonly clients: LocalClient[],
    private readonly Provider: OidcProviderClass,
    handler?: ProviderHandler,
  ) {
    const forward = (req: IncomingMessage, res: ServerResponse) =>
      (this.provider as OidcProviderInstance).callback()(req, res);
    this.server = createServer((req, res) =>
      handler ? handler(req, res, forward) : forward(req, res),
    );
  }

  /** Starts one on `port` (0: any free port) of 127.0.0.1; its issuer is http://localhost:<port>. */
  static async start(options: {
    port?: number;
    accounts: LocalAccount[];
    clients: LocalClient[];
    handler?: ProviderHandler;
  }): Promise<LocalOidcProvider> {
    const Provider = await providerClass();
    const probe = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(options.port ?? 0, '127.0.0.1', () =>
        resolve((probe.address() as AddressInfo).port),
      );
    });
    await new Promise((resolve) => probe.close(resolve));
    const local = new LocalOidcProvider(
      `http://localhost:${port}`,
      options.accounts,
      options.clients,
      Provider,
      options.handler,
    );
    local.provider = local.build();
    await new Promise<void>((resolve, reject) => {
      local.server.once('error', reject);
      local.server.listen(port, '127.0.0.1', () => resolve());
    });
    return local;
  }

  /** A new signing key: the old one is no longer served, tokens are signed with the new one. */
  rotateKeys(): void {
    this.key = newSigningKey();
    this.provider = this.build();
  }

  /** The people it knows (a test may change their groups or e-mail between sign-ins). */
  get people(): LocalAccount[] {
    return this.accounts;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private build(): OidcProviderInstance {
    const accounts = this.accounts;
    return new this.Provider(this.issuer, {
      clients: this.clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      })),
      jwks: { keys: [this.key] },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name', 'groups'],
      },
      // The claims of the scopes asked for go into the ID token (inpulse reads only the ID token).
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
      pkce: { required: () => true },
      async findAccount(_ctx: unknown, id: string) {
        const account = accounts.find((a) => a.id === id);
        if (!account) return undefined;
        return {
          accountId: id,
          claims: async () => ({
            sub: id,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name,
            groups: account.groups,
          }),
        };
      },
      // Its clients are first-party: consent is given without asking.
      async loadExistingGrant(ctx: KoaLikeContext) {
        const { oidc } = ctx;
        const clientId = oidc.client?.clientId as string;
        const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
        if (grantId) return oidc.provider.Grant.find(grantId);
        const grant = new oidc.provider.Grant({ clientId, accountId: oidc.session?.accountId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
  }
}
