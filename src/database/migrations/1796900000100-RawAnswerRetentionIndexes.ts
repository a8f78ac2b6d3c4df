import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The indexes `retention.purge` reads the raw answers through (docs/retention.md, "Raw answers"):
 *
 * - `ix_response_released_on`: each batch takes the oldest responses, released before the line;
 * - `ix_response_segment_unread_released_on`, partial (`source <> 'pulse'`): the segment rows no
 *   report reads any more (a pulse release's stay, so the index holds none of them).
 *
 * Built CONCURRENTLY, as RetentionMailIndex does, so that instances still running during a
 * rolling upgrade keep releasing answers meanwhile (a plain build blocks every INSERT into
 * response for its whole length); that cannot run inside a transaction, hence
 * `transaction = false`. An invalid index left by an interrupted build is dropped first.
 */
const INDEXES: [name: string, definition: string][] = [
  ['ix_response_released_on', `"response" ("released_on")`],
  [
    'ix_response_segment_unread_released_on',
    `"response_segment" ("released_on") WHERE source <> 'pulse'`,
  ],
];

export class RawAnswerRetentionIndexes1796900000100 implements MigrationInterface {
  name = 'RawAnswerRetentionIndexes1796900000100';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) {
      await queryRunner.query(
        `DO $$ BEGIN
           IF EXISTS (SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                       WHERE c.relname = '${name}' AND NOT x.indisvalid) THEN
             DROP INDEX "public"."${name}";
           END IF;
         END $$`,
      );
      await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON ${definition}`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse())
      await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "public"."${name}"`);
  }
}
