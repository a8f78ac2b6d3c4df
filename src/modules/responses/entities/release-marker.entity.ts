import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far a kind of release has gone: for answers after tickets, the first day of the period
 * whose close was last released (each period — a week within a month — is released once, after
 * it has closed).
 */
@Entity('release_marker')
export class ReleaseMarker {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name!: string;

  @Column({ name: 'released_through', type: 'date' })
  releasedThrough!: string;
}
