import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { APP_CONFIG, type AppConfig, type OidcConfig } from '../../config/app-config';
import { DomainError } from '../../common/errors/domain-error';
import { SsoErrors } from './sso.errors';

/** How long the provider's discovery document is kept before it is read again. */
const METADATA_TTL_MS = 10 * 60_000;

/** Errors of the ID token itself: signature, issuer, audience, nonce, times, keys. */
const TOKEN_ERRORS = new Set<string>([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_PARSE_ERROR',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
]);

export interface VerifiedTokens {
  claims: Record<string, unknown>;
  idToken: string;
}

/**
 * The relying party, with `openid-client`: discovery of OIDC_ISSUER, the authorization URL
 * (code + PKCE S256 + state + nonce), the code exchange with the ID token's checks (signature by
 * a key of the provider's JWKS, issuer, audience, nonce, expiry), and the end-session URL.
 *
 * The signature is always checked (enableNonRepudiationChecks), not left to TLS.
 * The discovery document is kept ten minutes; each sign-in works on a fresh `Configuration`, so
 * the provider's keys are read from its `jwks_uri` at each sign-in and a rotated key is used at
 * once (openid-client's own cache would refuse a new `kid` for up to a minute).
 */
@Injectable()
export class OidcClient {
  private metadata: { value: oidc.ServerMetadata; at: number } | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.oidc !== undefined;
  }

  private get settings(): OidcConfig {
    if (!this.config.oidc) throw SsoErrors.notConfigured();
    return this.config.oidc;
  }

  async authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }) {
    const settings = this.settings;
    const configuration = await this.configuration();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUri,
      scope: settings.scopes,
      response_type: 'code',
      code_challenge: pkceChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    }).href;
  }

  /**
   * Exchanges the code of the provider's answer (`query`: the callback's query string) and
   * verifies the ID token. Throws `sso.provider_error` or `sso.token_invalid`.
   */
  async exchange(
    query: string,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedTokens> {
    const configuration = await this.configuration();
    const current = new URL(this.settings.redirectUri);
    current.search = query;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw SsoErrors.tokenInvalid('no ID token');
      return { claims: claims as Record<string, unknown>, idToken: tokens.id_token };
    } catch (error) {
      throw classify(error);
    }
  }

  /** The provider's RP-initiated logout URL, when its discovery names an end-session endpoint. */
  async endSessionUrl(idToken: string, postLogoutRedirectUri: string): Promise<string | undefined> {
    const configuration = await this.configuration().catch(() => undefined);
    if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(configuration, {
      id_token_hint: idToken,
      post_logout_redirect_uri: postLogoutRedirectUri,
    }).href;
  }

  private async configuration(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const insecure = issuer.startsWith('http:');
    if (!this.metadata || Date.now() - this.metadata.at > METADATA_TTL_MS) {
      try {
        const discovered = await oidc.discovery(
          new URL(issuer),
          clientId,
          clientSecret,
          undefined,
          insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
        );
        this.metadata = { value: discovered.serverMetadata(), at: Date.now() };
      } catch (error) {
        throw SsoErrors.providerError(
          `discovery of ${issuer} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const configuration = new oidc.Configuration(this.metadata.value, clientId, clientSecret);
    if (insecure) oidc.allowInsecureRequests(configuration);
    // The ID token's signature is checked against the provider's keys (openid-client leaves it
    // to TLS by default, OIDC Core 3.1.3.7): a token re-signed by anyone else is refused.
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }
}

/** RFC 7636 S256, with node:crypto (the same as oidc.calculatePKCECodeChallenge, without Web Crypto). */
function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function classify(error: unknown) {
  if (error instanceof oidc.AuthorizationResponseError)
    return SsoErrors.providerError(`${error.error}: ${error.error_description ?? ''}`.trim());
  if (error instanceof oidc.ResponseBodyError)
    return SsoErrors.providerError(`${error.error}: ${error.error_description ?? ''}`.trim());
  if (error instanceof DomainError) return error;
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  const message = [error, cause]
    .map((e) => (e instanceof Error ? e.message : undefined))
    .filter(Boolean)
    .join(': ');
  if (typeof code === 'string' && TOKEN_ERRORS.has(code)) return SsoErrors.tokenInvalid(message);
  return SsoErrors.providerError(message || String(error));
}
