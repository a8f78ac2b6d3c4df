import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Survey } from '../../surveys/entities/survey.entity';
import { Campaign } from './campaign.entity';

export const WAVE_STATUSES = ['scheduled', 'open', 'closed'] as const;
export type WaveStatus = (typeof WAVE_STATUSES)[number];

/**
 * One occurrence of a campaign. Unique per (campaign, opening time), so however many instances
 * run the scheduler, and however often it fires, an occurrence makes one wave. Opening it creates
 * its survey and every invitation in one transaction; the status says how far it got.
 */
@Entity('wave')
@Index('uq_wave_campaign_opens_at', ['campaignId', 'opensAt'], { unique: true })
@Index('uq_wave_campaign_number', ['campaignId', 'number'], { unique: true })
@Index('ix_wave_due', ['status', 'closesAt'], { where: `status <> 'closed'` })
@Check('ck_wave_status', `"status" IN ('scheduled', 'open', 'closed')`)
export class Wave {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id', foreignKeyConstraintName: 'fk_wave_campaign' })
  campaign?: Relation<Campaign>;

  /** 1 for the campaign's first wave: drives question rotation. */
  @Column({ type: 'integer' })
  number!: number;

  @Column({ name: 'opens_at', type: 'timestamptz' })
  opensAt!: Date;

  @Column({ name: 'closes_at', type: 'timestamptz' })
  closesAt!: Date;

  @Column({ type: 'varchar', length: 16, default: 'scheduled' })
  status!: WaveStatus;

  @Index('uq_wave_survey', { unique: true, where: 'survey_id IS NOT NULL' })
  @Column({ name: 'survey_id', type: 'uuid', nullable: true })
  surveyId!: string | null;

  @ManyToOne(() => Survey, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'survey_id', foreignKeyConstraintName: 'fk_wave_survey' })
  survey?: Relation<Survey> | null;

  /** Invitations created when it opened. */
  @Column({ type: 'integer', default: 0 })
  invited!: number;

  /** Reminders sent so far (0–3). */
  @Column({ name: 'reminders_sent', type: 'smallint', default: 0 })
  remindersSent!: number;

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
