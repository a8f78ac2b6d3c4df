import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { QuestionType } from '../question-types';
import { Questionnaire } from './questionnaire.entity';

export type LocalizedText = Record<string, string>;
export interface ChoiceOption {
  key: string;
  label: LocalizedText;
}

@Entity('question')
@Index('uq_question_position', ['questionnaireId', 'position'], { unique: true })
@Check('ck_question_type', `"type" IN ('nps', 'enps', 'rating', 'ces', 'single', 'multi', 'text')`)
export class Question {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'questionnaire_id', type: 'uuid' })
  questionnaireId!: string;

  @ManyToOne(() => Questionnaire, (questionnaire) => questionnaire.questions, {
    onDelete: 'CASCADE',
  })
  @JoinColumn({ name: 'questionnaire_id', foreignKeyConstraintName: 'fk_question_questionnaire' })
  questionnaire?: Relation<Questionnaire>;

  @Column({ type: 'smallint' })
  position!: number;

  @Column({ type: 'varchar', length: 16 })
  type!: QuestionType;

  @Column({ type: 'boolean', default: false })
  required!: boolean;

  /** The question's wording per locale. */
  @Column({ type: 'jsonb' })
  text!: LocalizedText;

  /** Options of `single` and `multi` questions. */
  @Column({ type: 'jsonb', nullable: true })
  options!: ChoiceOption[] | null;

  /** Longest accepted answer of a `text` question, in characters. */
  @Column({ name: 'max_length', type: 'integer', nullable: true })
  maxLength!: number | null;
}
