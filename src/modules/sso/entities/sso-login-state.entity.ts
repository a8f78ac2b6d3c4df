import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A sign-in in progress: the SHA-256 of its `state`, with the PKCE verifier and nonce that only
 * the server knows. Deleted when the provider sends the browser back (single use), or by the
 * hourly purge once expired.
 */
@Entity('sso_login_state')
export class SsoLoginState {
  @PrimaryColumn({ name: 'state_hash', type: 'bytea' })
  stateHash!: Buffer;

  @Column({ name: 'code_verifier', type: 'varchar', length: 128 })
  codeVerifier!: string;

  @Column({ type: 'varchar', length: 128 })
  nonce!: string;

  /** Where to go once signed in (a path on this site). */
  @Column({ name: 'next_path', type: 'varchar', length: 2000 })
  nextPath!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Index('ix_sso_login_state_expires')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
