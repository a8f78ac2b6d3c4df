import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { AppUser } from '../../accounts/entities/app-user.entity';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

export const ACTION_STATUSES = ['planned', 'in_progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** What the action answers: a question's result, a period's comments, a follow-up, or other. */
export const ACTION_ORIGINS = ['question', 'comments', 'follow_up', 'other'] as const;
export type ActionOrigin = (typeof ACTION_ORIGINS)[number];

/** A translation of an action's two texts into another language. */
export interface ActionTexts {
  heard: string;
  planned: string;
}

/**
 * What a team will do about what it heard ("you said, we did"). Written by a lead in one
 * language (`locale`), with optional translations; employees see it only once `published`.
 * It quotes no answer: `origin` and `originRef` say where it came from (a question and period,
 * a period's comments, a follow-up), never a response.
 */
@Entity('team_action')
@Check('ck_team_action_status', `"status" IN ('planned', 'in_progress', 'done', 'dropped')`)
@Check('ck_team_action_origin', `"origin" IN ('question', 'comments', 'follow_up', 'other')`)
@Check('ck_team_action_done', `("status" = 'done') = ("done_on" IS NOT NULL)`)
@Index('ix_team_action_team', ['teamId', 'status'])
@Index('ix_team_action_due', ['dueOn'], { where: `"status" IN ('planned', 'in_progress')` })
export class TeamAction {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_team_action_team' })
  team?: Relation<ServiceTeam>;

  /** "What we heard", in the lead's words. */
  @Column({ type: 'text' })
  heard!: string;

  /** "What we will do" (or did). */
  @Column({ type: 'text' })
  planned!: string;

  /** The language `heard` and `planned` are written in. */
  @Column({ type: 'varchar', length: 8 })
  locale!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  translations!: Record<string, ActionTexts>;

  @Column({ type: 'varchar', length: 16, default: 'other' })
  origin!: ActionOrigin;

  /** e.g. `{ questionId, period }`, `{ period }`, `{ followUpId }`: where the lead started it. */
  @Column({ name: 'origin_ref', type: 'jsonb', nullable: true })
  originRef!: Record<string, string> | null;

  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true })
  ownerUserId!: string | null;

  @ManyToOne(() => AppUser, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_user_id', foreignKeyConstraintName: 'fk_team_action_owner' })
  owner?: Relation<AppUser> | null;

  @Column({ name: 'due_on', type: 'date', nullable: true })
  dueOn!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'planned' })
  status!: ActionStatus;

  /** The day it was marked done: where the team page's trend chart marks it. */
  @Column({ name: 'done_on', type: 'date', nullable: true })
  doneOn!: string | null;

  /** Shown to employees (directory, thank-you page, next invitation); otherwise leads and HR only. */
  @Column({ type: 'boolean', default: false })
  published!: boolean;

  /** The due date the owner was last reminded of, so a reminder goes once per due date. */
  @Column({ name: 'reminded_for', type: 'date', nullable: true })
  remindedFor!: string | null;

  /** The due date the owner was told had passed, so that mail too goes once per due date. */
  @Column({ name: 'overdue_reminded_for', type: 'date', nullable: true })
  overdueRemindedFor!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
