import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Answer } from '../../responses/entities/answer.entity';

/**
 * An index of the comments (text answers) by team and day, with a random sort key, so a report
 * finds a random sample of a period's comments without scanning `answer`. The text itself stays
 * in `answer`; this row goes when the answer goes.
 */
@Entity('report_comment')
@Index('ix_report_comment_team_day', ['teamId', 'releasedOn', 'sortKey', 'answerId'])
export class ReportComment {
  @PrimaryColumn({ name: 'answer_id', type: 'uuid' })
  answerId!: string;

  @ManyToOne(() => Answer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'answer_id', foreignKeyConstraintName: 'fk_report_comment_answer' })
  answer?: Relation<Answer>;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @Column({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column({ name: 'sort_key', type: 'double precision' })
  sortKey!: number;
}
