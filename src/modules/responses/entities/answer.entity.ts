import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Question } from '../../surveys/entities/question.entity';
import { Response } from './response.entity';

/**
 * One answer to one question. A `multi` question gives one row per chosen option; scored
 * questions fill `score`, choices `option_key`, text questions `text`.
 */
@Entity('answer')
@Index('ix_answer_question', ['questionId'])
export class Answer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('ix_answer_response')
  @Column({ name: 'response_id', type: 'uuid' })
  responseId!: string;

  @ManyToOne(() => Response, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'response_id', foreignKeyConstraintName: 'fk_answer_response' })
  response?: Relation<Response>;

  @Column({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @ManyToOne(() => Question, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'question_id', foreignKeyConstraintName: 'fk_answer_question' })
  question?: Relation<Question>;

  @Column({ type: 'smallint', nullable: true })
  score!: number | null;

  @Column({ name: 'option_key', type: 'varchar', length: 64, nullable: true })
  optionKey!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;
}
