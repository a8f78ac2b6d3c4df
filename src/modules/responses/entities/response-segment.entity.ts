import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What breakdowns need of respondents' segments, written by the mixer at a release and never per
 * person: per release (survey, rated team, day), segment dimension (department, location,
 * tenure band, or for answers after tickets the resolution-time band) and value shared by at
 * least m of the release's people, and per scored question, how many answered and with which
 * scores. Values shared by fewer fold into the rest, which is itself 0 or at least m people (a
 * dimension where that cannot be is not written at all). See release-plan.ts.
 */
@Entity('response_segment')
@Index('ix_response_segment_team_day', ['teamId', 'releasedOn'])
// retention.purge's segment batches: the rows no report reads (a pulse release's stay).
@Index('ix_response_segment_unread_released_on', ['releasedOn'], { where: `source <> 'pulse'` })
export class ResponseSegment {
  @PrimaryColumn({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  value!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @Column({ type: 'integer' })
  n!: number;

  @Column({ name: 'score_sum', type: 'bigint' })
  scoreSum!: string;

  /** c[s + 1] counts score s (0–10). */
  @Column({ name: 'score_counts', type: 'integer', array: true })
  scoreCounts!: number[];
}
