import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Questionnaire } from '../../surveys/entities/questionnaire.entity';
import { Survey } from '../../surveys/entities/survey.entity';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

/**
 * The survey a team's anonymous reviews of one calendar month go out on (`source` = 'review'),
 * made on the first request of the month: one invitation per person and survey is what keeps a
 * review to one per team, person and month. Answers flow through the usual invitation, pending
 * table and mixer like any other survey's.
 */
@Entity('review_survey')
export class ReviewSurvey {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_review_survey_team' })
  team?: Relation<ServiceTeam>;

  /** YYYY-MM (UTC) */
  @PrimaryColumn({ type: 'varchar', length: 7 })
  period!: string;

  @Index('uq_review_survey_survey', { unique: true })
  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @ManyToOne(() => Survey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'survey_id', foreignKeyConstraintName: 'fk_review_survey_survey' })
  survey?: Relation<Survey>;
}

/**
 * The questionnaire of a team's reviews, when HR chose one; teams without a row use the built-in
 * one. A change applies from the next month's survey (a month's survey keeps its questionnaire).
 */
@Entity('team_review_setting')
export class TeamReviewSetting {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_team_review_setting_team' })
  team?: Relation<ServiceTeam>;

  @Column({ name: 'questionnaire_id', type: 'uuid' })
  questionnaireId!: string;

  @ManyToOne(() => Questionnaire, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'questionnaire_id',
    foreignKeyConstraintName: 'fk_team_review_setting_questionnaire',
  })
  questionnaire?: Relation<Questionnaire>;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * The built-in review questionnaire, made once on first use under its key (a new version of its
 * texts gets a new key, so surveys made with the old one keep meaning what they asked).
 */
@Entity('review_builtin_questionnaire')
export class ReviewBuiltinQuestionnaire {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  key!: string;

  @Column({ name: 'questionnaire_id', type: 'uuid' })
  questionnaireId!: string;

  @ManyToOne(() => Questionnaire, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'questionnaire_id',
    foreignKeyConstraintName: 'fk_review_builtin_questionnaire_questionnaire',
  })
  questionnaire?: Relation<Questionnaire>;
}
