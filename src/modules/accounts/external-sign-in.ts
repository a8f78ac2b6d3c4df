import { Injectable } from '@nestjs/common';

/**
 * What an identity provider changes about signing in, told by the feature that runs it (the
 * `sso` feature registers itself at start; without OIDC_ISSUER nothing is registered and
 * passwords work as always). Accounts asks this instead of importing that feature.
 */
export interface ExternalSignInProvider {
  /** Whether local passwords are off (SSO only), for the sign-in page. */
  ssoOnly(): Promise<boolean>;
  /** Whether this account may sign in with its password (false: SSO only, not break-glass). */
  passwordAllowed(userId: string): Promise<boolean>;
  /**
   * Where the browser goes after signing out of the session behind this cookie value: the
   * provider's end-session page for a session it opened, else undefined (the sign-in page).
   */
  signOutUrl(sessionId: string): Promise<string | undefined>;
}

@Injectable()
export class ExternalSignIn {
  private provider: ExternalSignInProvider | undefined;

  register(provider: ExternalSignInProvider): void {
    this.provider = provider;
  }

  /** Whether a provider is configured (the sign-in page shows its button). */
  get enabled(): boolean {
    return this.provider !== undefined;
  }

  async ssoOnly(): Promise<boolean> {
    return this.provider ? this.provider.ssoOnly() : false;
  }

  async passwordAllowed(userId: string): Promise<boolean> {
    return this.provider ? this.provider.passwordAllowed(userId) : true;
  }

  async signOutUrl(sessionId: string | undefined): Promise<string | undefined> {
    if (!this.provider || !sessionId) return undefined;
    return this.provider.signOutUrl(sessionId);
  }
}
