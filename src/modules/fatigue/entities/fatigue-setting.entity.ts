import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The survey fatigue budget of the whole organisation: one row (id = 1), read as "off" when it
 * was never saved. Nobody gets a new survey invitation within `days` days of their last one,
 * across pulses and ticket surveys; 0 = no budget.
 */
@Entity('fatigue_setting')
@Check('ck_fatigue_setting_single_row', 'id = 1')
@Check('ck_fatigue_setting_days', 'days BETWEEN 0 AND 365')
export class FatigueSetting {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ type: 'smallint', default: 0 })
  days!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
