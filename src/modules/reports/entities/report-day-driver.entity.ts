import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup for "what drives the score": per team, day, source and scored question (rating or
 * effort), over the respondents who answered both that question and the iNPS question in the
 * same response, the sums a Pearson correlation needs (n, Σx, Σy, Σx², Σy², Σxy; x the
 * question's score, y the iNPS score). Only releases where at least the survey's k respondents
 * gave both answers count, so every figure built from these rows is a sum of whole releases of
 * at least k pairs. Kept current by report_rollup_refresh() (src/database/sql/report-rollups.sql.ts).
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

  /** Respondents who answered both. */
  @Column({ type: 'integer' })
  n!: number;

  /** Σ of the question's scores. */
  @Column({ name: 'item_sum', type: 'bigint' })
  itemSum!: string;

  /** Σ of the iNPS scores. */
  @Column({ name: 'nps_sum', type: 'bigint' })
  npsSum!: string;

  /** Σ of the squares of the question's scores. */
  @Column({ name: 'item_squares', type: 'bigint' })
  itemSquares!: string;

  /** Σ of the squares of the iNPS scores. */
  @Column({ name: 'nps_squares', type: 'bigint' })
  npsSquares!: string;

  /** Σ of question score × iNPS score, per respondent. */
  @Column({ type: 'bigint' })
  products!: string;
}
