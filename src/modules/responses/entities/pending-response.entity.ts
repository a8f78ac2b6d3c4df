import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One answer row as it will be written to `answer` (a `multi` question gives one per option). */
export interface PendingAnswer {
  question_id: string;
  score: number | null;
  option_key: string | null;
  text: string | null;
}

/**
 * An answer waiting to be mixed. It is written in the same transaction that claims the
 * invitation (so it shares that transaction's id) and lives only until the mixer moves it, in a
 * shuffled batch, into `response` and `answer`. No report reads this table.
 */
@Entity('pending_response')
export class PendingResponse {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column({ name: 'responded_on', type: 'date' })
  respondedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  locale!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  department!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  location!: string | null;

  @Column({ name: 'tenure_band', type: 'varchar', length: 16, nullable: true })
  tenureBand!: string | null;

  /** Coarse attributes of a ticket survey answer (never the ticket or the requester). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  category!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  priority!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel!: string | null;

  /** How long the ticket took to resolve: <4h, 4-24h, 1-3d or 3d+. */
  @Column({ name: 'resolution_band', type: 'varchar', length: 8, nullable: true })
  resolutionBand!: string | null;

  @Column({ type: 'jsonb' })
  answers!: PendingAnswer[];
}
