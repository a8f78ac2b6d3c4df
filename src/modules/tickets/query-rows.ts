import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * The rows of a statement (a SELECT, or a write with RETURNING), through a query runner or an
 * entity manager: TypeORM answers an UPDATE or DELETE with [rows, count] unless asked for its
 * structured result, which only a query runner offers.
 */
export async function rowsOf<T>(
  on: QueryRunner | EntityManager,
  sql: string,
  values: unknown[],
): Promise<T[]> {
  if ('isReleased' in on) {
    const result = await (on as QueryRunner).query(sql, values, true);
    return (result.records ?? []) as T[];
  }
  const raw: unknown = await (on as EntityManager).query(sql, values);
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number')
    return raw[0] as T[];
  return raw as T[];
}
