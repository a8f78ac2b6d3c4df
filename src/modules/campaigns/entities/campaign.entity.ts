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
import { Questionnaire } from '../../surveys/entities/questionnaire.entity';
import type { CadenceKind, Weekday } from '../cadence';

export const CAMPAIGN_STATUSES = ['active', 'paused', 'archived'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Who is invited: filters over the directory (all must hold), plus people added or removed by hand. */
export interface Audience {
  departments: string[];
  locations: string[];
  teamIds: string[];
  tenureBands: string[];
  includeIds: string[];
  excludeIds: string[];
}

/**
 * HR's recurring anonymous survey: a questionnaire, an audience, a subject (the respondent's own
 * team, or a list of service teams), a cadence in a time zone, a send window applied in each
 * employee's zone, an open window, reminders, question rotation and the reporting threshold.
 * Each occurrence is a wave (wave.entity.ts).
 */
@Entity('campaign')
@Check('ck_campaign_status', `"status" IN ('active', 'paused', 'archived')`)
@Check('ck_campaign_subject', `"subject" IN ('teams', 'own_team')`)
@Check('ck_campaign_threshold', `"reporting_threshold" >= 3`)
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** HR's internal name, never shown to respondents. */
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /**
   * What respondents see as the survey's title (page heading, mail subject), per language;
   * `name` is HR's own. A language without one falls back to the template's wording.
   */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  titles!: Record<string, string>;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: CampaignStatus;

  /** The template it was made from (pulse, enps, engagement), or null for a custom questionnaire. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  template!: string | null;

  @Column({ name: 'questionnaire_id', type: 'uuid' })
  questionnaireId!: string;

  @ManyToOne(() => Questionnaire, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'questionnaire_id', foreignKeyConstraintName: 'fk_campaign_questionnaire' })
  questionnaire?: Relation<Questionnaire>;

  @Column({ type: 'varchar', length: 16 })
  subject!: 'teams' | 'own_team';

  /** Subject `teams`: the service teams rated, each in its own block. */
  @Column({ name: 'team_ids', type: 'uuid', array: true, default: () => "'{}'" })
  teamIds!: string[];

  @Column({ type: 'jsonb' })
  audience!: Audience;

  @Column({ type: 'varchar', length: 16 })
  cadence!: CadenceKind;

  @Column({ name: 'every_weeks', type: 'smallint', nullable: true })
  everyWeeks!: number | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  rrule!: string | null;

  /** First opening, wall-clock time in `time_zone` (YYYY-MM-DDTHH:MM). */
  @Column({ name: 'start_local', type: 'varchar', length: 16 })
  startLocal!: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  /** Send window, local to each employee: HH:MM to HH:MM on these weekdays. */
  @Column({ name: 'window_from', type: 'varchar', length: 5, default: '09:00' })
  windowFrom!: string;

  @Column({ name: 'window_to', type: 'varchar', length: 5, default: '17:00' })
  windowTo!: string;

  @Column({
    name: 'window_days',
    type: 'varchar',
    array: true,
    default: () => "'{mon,tue,wed,thu,fri}'",
  })
  windowDays!: Weekday[];

  /** How long each wave stays open. */
  @Column({ name: 'open_days', type: 'smallint' })
  openDays!: number;

  /** Up to 3 reminders, days after the opening, to those who have not answered. */
  @Column({ name: 'reminder_days', type: 'smallint', array: true, default: () => "'{}'" })
  reminderDays!: number[];

  /** Questions asked per wave besides the NPS/eNPS ones, rotating; null: all of them. */
  @Column({ name: 'rotation_size', type: 'smallint', nullable: true })
  rotationSize!: number | null;

  /** k for this campaign's results; fixed once the first wave has opened. */
  @Column({ name: 'reporting_threshold', type: 'smallint' })
  reportingThreshold!: number;

  /** Openings before this instant are skipped (set at creation and on resume). */
  @Column({ name: 'schedule_from', type: 'timestamptz' })
  scheduleFrom!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
