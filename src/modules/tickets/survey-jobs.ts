import { createHash } from 'node:crypto';

/**
 * The id of a ticket's `ticket.survey` job: one per ticket row, made from its id (a UUID of the
 * version 4 layout, from SHA-256). A new resolution replaces the ticket's job under the same id,
 * and the decision deletes it by id (an index lookup, in the job table and pg-boss's archive)
 * rather than by searching every job's data. SURVEY_JOB_ID_SQL computes the same in SQL.
 */
export function surveyJobId(ticketRowId: string): string {
  return uuidOfHex(createHash('sha256').update(`ticket.survey:${ticketRowId}`).digest('hex'));
}

function uuidOfHex(hex: string): string {
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** surveyJobId in SQL, of the text expression `ticketRowId` (for migrations). */
export function surveyJobIdSql(ticketRowId: string): string {
  const hex = `encode(sha256(convert_to('ticket.survey:' || (${ticketRowId}), 'UTF8')), 'hex')`;
  return `(SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' ||
                   to_hex((('x' || substr(h, 17, 1))::bit(4)::int & 3) | 8) || substr(h, 18, 3) || '-' ||
                   substr(h, 21, 12))::uuid
             FROM (SELECT ${hex} AS h) x)`;
}
