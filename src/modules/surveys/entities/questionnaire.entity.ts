import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Question } from './question.entity';

/**
 * An ordered list of questions. Once a survey uses it, it is never edited (a change would make
 * past answers mean something else), so it can be cached by id.
 */
@Entity('questionnaire')
export class Questionnaire {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The locale whose texts stand in when a question has no text in the respondent's. */
  @Column({ name: 'default_locale', type: 'varchar', length: 16, default: 'en' })
  defaultLocale!: string;

  @OneToMany(() => Question, (question) => question.questionnaire)
  questions?: Question[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
