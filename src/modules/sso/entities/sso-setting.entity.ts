import {
  Check,
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { AppUser } from '../../accounts/entities/app-user.entity';

/**
 * The organisation's SSO switch: one row (id = 1), read as "off" when never saved. SSO only
 * turns local passwords off for everyone but the break-glass administrator.
 */
@Entity('sso_setting')
@Check('ck_sso_setting_single_row', 'id = 1')
@Check('ck_sso_setting_break_glass', 'NOT sso_only OR break_glass_user_id IS NOT NULL')
export class SsoSetting {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ name: 'sso_only', type: 'boolean', default: false })
  ssoOnly!: boolean;

  /** The one account that may still sign in with its password while SSO only is on. */
  @Column({ name: 'break_glass_user_id', type: 'uuid', nullable: true })
  breakGlassUserId!: string | null;

  @ManyToOne(() => AppUser)
  @JoinColumn({ name: 'break_glass_user_id', foreignKeyConstraintName: 'fk_sso_setting_user' })
  breakGlassUser?: Relation<AppUser>;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
