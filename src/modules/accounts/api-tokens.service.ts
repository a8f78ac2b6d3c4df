import { Injectable } from '@nestjs/common';
import type { Principal, TokenPrincipal } from '../../common/access/access.decorator';
import { SCOPES, type Scope } from '../../common/access/roles';
import { hasControlCharacters } from '../../common/text';
import { AuditService } from '../audit/audit.service';
import { secret, sha256 } from './account-secrets';
import { AccountErrors } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import type { RequestInfo } from './accounts.service';

/** API tokens: created (the value shown once, its hash kept), listed, revoked, checked. */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly audit: AuditService,
  ) {}

  async createApiToken(
    actor: Principal | undefined,
    input: { name: string; scopes: string[] },
    request?: RequestInfo,
  ) {
    const name = input.name.trim();
    if (!name || name.length > 100 || hasControlCharacters(name))
      throw AccountErrors.invalid('The token name must be 1–100 characters.');
    const scopes = [...new Set(input.scopes)];
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      throw AccountErrors.invalid(
        `Choose at least one scope among ${SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
      );
    }
    const value = `inp_${secret()}`;
    const token = await this.accounts.insertApiToken({
      name,
      tokenHash: sha256(value),
      prefix: value.slice(0, 12),
      scopes: scopes as Scope[],
      createdBy: actor?.kind === 'user' ? actor.id : null,
    });
    await this.audit.record({
      action: 'api_token.created',
      actor,
      target: name,
      ip: request?.ip,
      details: { scopes },
    });
    return { id: token.id, name, scopes, value };
  }

  listApiTokens() {
    return this.accounts.listApiTokens();
  }

  async revokeApiToken(actor: Principal, id: string, request: RequestInfo): Promise<void> {
    const revoked = await this.accounts.revokeApiToken(id);
    if (!revoked) throw AccountErrors.tokenNotFound();
    await this.audit.record({
      action: 'api_token.revoked',
      actor,
      target: revoked.name,
      ip: request.ip,
    });
  }

  async authenticateToken(value: string): Promise<TokenPrincipal | undefined> {
    if (!value.startsWith('inp_') || value.length > 100) return undefined;
    const token = await this.accounts.useApiToken(sha256(value));
    return token
      ? { kind: 'token', id: token.id, name: token.name, scopes: token.scopes }
      : undefined;
  }
}
