import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup for "what drives the score": per team, day, source and scored question (rating or
 * effort), over the respondents who answered both that question and the iNPS question in the
 * same response (one iNPS answer per response: its first iNPS question), a contingency table of
 * counts — iNPS category × whether the answer is favourable (migration DriverCells). Only
 * releases where at least the survey's k respondents gave both answers count, so every figure
 * built from these rows is a sum of whole releases of at least k people. Kept current by report_rollup_refresh() (src/database/sql/report-rollups.sql.ts).
 */
@Entity('report_day_driver')
export class ReportDayDriver {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  /** Respondents who answered both (distinct responses): the sum of the six cells. */
  @Column({ type: 'integer' })
  n!: number;

  /** iNPS 0–6, question not favourable. */
  @Column({ name: 'detractor_low', type: 'integer' })
  detractorLow!: number;

  /** iNPS 0–6, question favourable (4–5 of a rating, 5–7 of an effort score). */
  @Column({ name: 'detractor_top', type: 'integer' })
  detractorTop!: number;

  /** iNPS 7–8, question not favourable. */
  @Column({ name: 'passive_low', type: 'integer' })
  passiveLow!: number;

  /** iNPS 7–8, question favourable. */
  @Column({ name: 'passive_top', type: 'integer' })
  passiveTop!: number;

  /** iNPS 9–10, question not favourable. */
  @Column({ name: 'promoter_low', type: 'integer' })
  promoterLow!: number;

  /** iNPS 9–10, question favourable. */
  @Column({ name: 'promoter_top', type: 'integer' })
  promoterTop!: number;
}
