import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The comments (text answers) of the releases that show them, by team and day, with a random sort
 * key, so a report finds a random sample of a period's comments without scanning `answer`. Each
 * row keeps its own copy of the text and of its question (migration RawAnswerRetention), so the
 * comment lists, search and themes outlive the raw rows, which the raw-answer purge may delete
 * (docs/retention.md). No foreign key to `answer`: the rollup refresh removes the comments of
 * answers deleted from days it still recomputes. Nothing here dates or orders a comment more
 * finely than its release: `answer_id` is the answer's random id, `sort_key` is random.
 */
@Entity('report_comment')
@Index('ix_report_comment_team_day', ['teamId', 'releasedOn', 'sortKey', 'answerId'])
export class ReportComment {
  /** The id of the answer it was copied from (random; the answer itself may be gone). */
  @PrimaryColumn({ name: 'answer_id', type: 'uuid' })
  answerId!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @Column({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  /** The text question answered (reviews show each open question's comments apart). */
  @Column({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'sort_key', type: 'double precision' })
  sortKey!: number;
}
