import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';
import { Questionnaire } from './questionnaire.entity';

export const SURVEY_SUBJECTS = ['team', 'teams', 'own_team'] as const;
export type SurveySubject = (typeof SURVEY_SUBJECTS)[number];

/** What a survey's answers are recorded as: pulses, surveys after tickets, anonymous reviews. */
export const SURVEY_SOURCES = ['pulse', 'ticket', 'review'] as const;
export type SurveySource = (typeof SURVEY_SOURCES)[number];

/**
 * A questionnaire sent to chosen employees until it closes. It rates one team (`team`), a list
 * of service teams each in its own block (`teams`: each rated team's answers become a response
 * of their own), or each respondent's own team (`own_team`, recorded on the invitation). Each
 * wave of a campaign is one survey. Ticket surveys (`source` = 'ticket') are made by the
 * tickets feature, one per team and month; review surveys (`source` = 'review') by the reviews
 * feature, one per team and month too.
 */
@Entity('survey')
@Check('ck_survey_source', `"source" IN ('pulse', 'ticket', 'review')`)
@Check('ck_survey_subject', `"subject" IN ('team', 'teams', 'own_team')`)
@Check(
  'ck_survey_team',
  `("subject" = 'team') = ("team_id" IS NOT NULL) AND ("subject" = 'teams') = ("rated_team_ids" IS NOT NULL)`,
)
export class Survey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /**
   * A campaign wave's title per language, as respondents see it (heading, mail subject); null
   * for other surveys, whose respondents see the name of the team rated.
   */
  @Column({ type: 'jsonb', nullable: true })
  titles!: Record<string, string> | null;

  @Column({ name: 'questionnaire_id', type: 'uuid' })
  questionnaireId!: string;

  @ManyToOne(() => Questionnaire, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'questionnaire_id', foreignKeyConstraintName: 'fk_survey_questionnaire' })
  questionnaire?: Relation<Questionnaire>;

  /** The team rated, for subject `team`; null for the other subjects. */
  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  @ManyToOne(() => ServiceTeam, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_survey_team' })
  team?: Relation<ServiceTeam>;

  @Column({ type: 'varchar', length: 16, default: 'team' })
  subject!: SurveySubject;

  /** Subject `teams`: the service teams rated, in the order of their blocks. */
  @Column({ name: 'rated_team_ids', type: 'uuid', array: true, nullable: true })
  ratedTeamIds!: string[] | null;

  /** The questions asked, when a campaign rotates them; null: every question. */
  @Column({ name: 'question_ids', type: 'uuid', array: true, nullable: true })
  questionIds!: string[] | null;

  /** Reporting threshold k, fixed when the survey is created and shown to respondents. */
  @Column({ name: 'reporting_threshold', type: 'smallint' })
  reportingThreshold!: number;

  /** Comments need this many in a release before any is shown; fixed like k. */
  @Column({ name: 'comment_threshold', type: 'smallint', default: 5 })
  commentThreshold!: number;

  /**
   * Pulse surveys: whether the mixer has released its answers (once, after it closed). Answers
   * after tickets are released per team and period instead, and this stays false.
   */
  @Column({ type: 'boolean', default: false })
  released!: boolean;

  /** What its answers are recorded as: a pulse, a survey after a ticket, or an anonymous review. */
  @Column({ type: 'varchar', length: 16, default: 'pulse' })
  source!: SurveySource;

  /** Links stop working at this instant; the mixer may then flush a last, smaller batch. */
  @Column({ name: 'closes_at', type: 'timestamptz' })
  closesAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
