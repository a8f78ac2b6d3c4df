import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One answer row as it will be written to `answer` (a `multi` question gives one per option). */
export interface PendingAnswer {
  question_id: string;
  score: number | null;
  option_key: string | null;
  text: string | null;
}

/** What a pending row holds once opened: whose claim it is and the answers, block by block. */
export interface SealedSubmission {
  invitationId: string;
  /** One block per rated team (a survey about one team has one). */
  blocks: { teamId: string; answers: PendingAnswer[] }[];
}

/**
 * A submitted answer waiting for its release. Its content is sealed (AES-256-GCM under a key
 * derived from APP_SECRET), padded to the one size of every answer to its survey (see
 * sealed-size.ts), so neither this row, its dead tuple nor the WAL can be read without the app's
 * secret, nor told apart by size. `claim_key` (an HMAC of the invitation id under
 * another derived key) makes each invitation answerable once without naming it: the submit
 * writes nothing to `invitation`. The mixer opens these rows when the survey's answers are
 * released, writes `response` and `answer`, deletes them and vacuums the table.
 */
@Entity('pending_response')
@Index('ix_pending_response_survey', ['surveyId'])
export class PendingResponse {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @Index('uq_pending_response_claim', { unique: true })
  @Column({ name: 'claim_key', type: 'bytea' })
  claimKey!: Buffer;

  @Column({ type: 'bytea' })
  sealed!: Buffer;
}
