import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * How many people the fatigue budget kept out of one sending: per survey (a wave is a survey
 * row) or per another source (e.g. a ticket-survey integration). Counts only, never who.
 */
@Entity('fatigue_skip')
export class FatigueSkip {
  /** `survey` for surveys and waves; another feature's own name otherwise. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  source!: string;

  @PrimaryColumn({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @Column({ type: 'integer', default: 0 })
  skipped!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
