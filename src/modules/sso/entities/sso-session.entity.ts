import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { UserSession } from '../../accounts/entities/user-session.entity';

/**
 * A session opened through the identity provider: its ID token, the `id_token_hint` of the
 * provider's sign-out. Ends with the session.
 */
@Entity('sso_session')
export class SsoSession {
  @PrimaryColumn({ name: 'session_hash', type: 'bytea' })
  sessionHash!: Buffer;

  @ManyToOne(() => UserSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_hash', foreignKeyConstraintName: 'fk_sso_session_session' })
  session?: Relation<UserSession>;

  @Column({ name: 'id_token', type: 'text' })
  idToken!: string;
}
