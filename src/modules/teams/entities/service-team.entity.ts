import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';

/** A team that serves employees. Teams form a tree; reports roll up along it. */
@Entity('service_team')
export class ServiceTeam {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_service_team_slug', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => ServiceTeam, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_service_team_parent' })
  parent?: Relation<ServiceTeam> | null;

  /** Target iNPS, from -100 to 100. */
  @Column({ name: 'nps_target', type: 'smallint', nullable: true })
  npsTarget!: number | null;

  /** Target CSAT, percent of 4–5 ratings. */
  @Column({ name: 'csat_target', type: 'smallint', nullable: true })
  csatTarget!: number | null;

  @Column({ name: 'first_response_target_minutes', type: 'integer', nullable: true })
  firstResponseTargetMinutes!: number | null;

  @Column({ name: 'resolution_target_minutes', type: 'integer', nullable: true })
  resolutionTargetMinutes!: number | null;

  /**
   * What the team handles and what it does not, per language: `{ en: { handles, excludes } }`.
   * `profileLocale` names the language it was written in, shown (marked) where a reader's is missing.
   */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  purpose!: Record<string, TeamPurpose>;

  @Column({ name: 'profile_locale', type: 'varchar', length: 8, default: 'en' })
  profileLocale!: string;

  /** IANA time zone of the opening hours, e.g. Europe/Madrid. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: 'UTC' })
  timeZone!: string;

  /** Weekly opening hours in `timeZone`; several intervals a day allowed. Empty: no published hours. */
  @Column({ name: 'opening_hours', type: 'jsonb', default: () => "'[]'" })
  openingHours!: OpeningInterval[];

  /** Holidays (closed all day) and days with other hours, by local date. */
  @Column({ name: 'hours_exceptions', type: 'jsonb', default: () => "'[]'" })
  hoursExceptions!: HoursException[];

  /** Ways to reach the team, in the order shown. */
  @Column({ name: 'contact_channels', type: 'jsonb', default: () => "'[]'" })
  contactChannels!: ContactChannel[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export interface TeamPurpose {
  handles: string;
  excludes: string;
}

/** `day`: ISO weekday, 1 = Monday … 7 = Sunday; `opens`/`closes`: local "HH:MM", opens < closes. */
export interface OpeningInterval {
  day: number;
  opens: string;
  closes: string;
}

/** A local date the team is closed (`closed`), or open only `opens`–`closes`. */
export interface HoursException {
  date: string;
  label: string;
  closed: boolean;
  opens?: string;
  closes?: string;
}

export const CHANNEL_KINDS = ['email', 'phone', 'portal', 'chat', 'desk'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** `value`: the address, number, URL or desk location; `label`: optional words per language. */
export interface ContactChannel {
  kind: ChannelKind;
  value: string;
  label?: Record<string, string>;
}
