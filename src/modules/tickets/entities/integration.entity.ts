import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

export const INTEGRATION_KINDS = [
  'jira',
  'zendesk',
  'servicenow',
  'freshservice',
  'generic',
] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** "Tickets of this group / queue / assignment group (its name or its id) rate this team." */
export interface MappingRule {
  match: string;
  teamId: string;
}

/**
 * A ticketing system that posts webhooks. Its signing secret is kept sealed (AES-256-GCM under a
 * key derived from APP_SECRET): verifying an HMAC needs the secret itself, and a copy of the
 * database alone must not be enough to forge deliveries. During a rotation the previous secret
 * stays valid until `previous_valid_until`.
 */
@Entity('integration')
@Check(
  'ck_integration_kind',
  `"kind" IN ('jira', 'zendesk', 'servicenow', 'freshservice', 'generic')`,
)
@Check('ck_integration_sampling', `"sampling_percent" BETWEEN 0 AND 100`)
export class Integration {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: IntegrationKind;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The current signing secret, sealed: 12-byte IV, 16-byte tag, ciphertext. */
  @Column({ name: 'secret_sealed', type: 'bytea' })
  secretSealed!: Buffer;

  @Column({ name: 'previous_secret_sealed', type: 'bytea', nullable: true })
  previousSecretSealed!: Buffer | null;

  /** Until when the previous secret is still accepted. */
  @Column({ name: 'previous_valid_until', type: 'timestamptz', nullable: true })
  previousValidUntil!: Date | null;

  @Column({ name: 'secret_rotated_at', type: 'timestamptz', default: () => 'now()' })
  secretRotatedAt!: Date;

  /** The team of tickets that no mapping rule matches. */
  @Column({ name: 'default_team_id', type: 'uuid' })
  defaultTeamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'default_team_id', foreignKeyConstraintName: 'fk_integration_team' })
  defaultTeam?: Relation<ServiceTeam>;

  @Column({ name: 'mapping_rules', type: 'jsonb' })
  mappingRules!: MappingRule[];

  /** The survey goes this long after the resolution. */
  @Column({ name: 'delay_minutes', type: 'integer', default: 60 })
  delayMinutes!: number;

  @Column({ name: 'link_expiry_days', type: 'integer', default: 14 })
  linkExpiryDays!: number;

  /** A requester is surveyed about a team at most once in this many days. */
  @Column({ name: 'throttle_days', type: 'integer', default: 30 })
  throttleDays!: number;

  @Column({ name: 'sampling_percent', type: 'smallint', default: 100 })
  samplingPercent!: number;

  /** Categories / request types never surveyed (compared without regard to case). */
  @Column({ name: 'excluded_categories', type: 'jsonb' })
  excludedCategories!: string[];

  @Column({ name: 'exclude_requester_is_assignee', type: 'boolean', default: true })
  excludeRequesterIsAssignee!: boolean;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
