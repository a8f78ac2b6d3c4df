import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The weekly digest of the whole organisation: one row (id = 1), read as the defaults when it
 * was never saved. Sent on `weekday` (1 = Monday … 7 = Sunday) at `hour` in each person's time
 * zone (else `time_zone`, else ORGANISATION_TIME_ZONE), in each person's language (else
 * `locale`), about the last closed period of `grain`.
 */
@Entity('digest_setting')
@Check('ck_digest_setting_single_row', 'id = 1')
@Check('ck_digest_setting_weekday', 'weekday BETWEEN 1 AND 7')
@Check('ck_digest_setting_hour', 'hour BETWEEN 0 AND 23')
@Check('ck_digest_setting_grain', `grain IN ('week', 'month', 'quarter')`)
export class DigestSetting {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'smallint', default: 1 })
  weekday!: number;

  @Column({ type: 'smallint', default: 8 })
  hour!: number;

  @Column({ type: 'varchar', length: 8, default: 'month' })
  grain!: string;

  /** The language of people who chose none. */
  @Column({ type: 'varchar', length: 16, default: 'en' })
  locale!: string;

  /** The zone of people who set none; null: ORGANISATION_TIME_ZONE. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
