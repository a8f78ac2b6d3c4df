import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A ticket whose survey was decided, handed over to the next invitation batch. The decision
 * (on the ticket's row) and the invitation (on the person's) are written in different
 * transactions, batched with other tickets' and shuffled, so that neither a shared transaction
 * id nor a shared timestamp ties the ticket to its requester. The row holds only sealed content
 * (AES-256-GCM under a key derived from APP_SECRET) and lives until the batch, which vacuums the
 * table after deleting it.
 */
@Entity('pending_ticket_invitation')
export class PendingTicketInvitation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'bytea' })
  sealed!: Buffer;
}

/**
 * "You may contact me about this", sealed, until the follow-up batch writes it to follow_up in a
 * transaction of its own (hourly, shuffled with the others): the request is written apart from
 * the answer, later, and its row says nothing of when the answer was given.
 */
@Entity('pending_follow_up')
export class PendingFollowUp {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'bytea' })
  sealed!: Buffer;
}
