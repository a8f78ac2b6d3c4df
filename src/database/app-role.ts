import { Client } from 'pg';

/** The role the app runs as on a database it provisions itself (embedded, tests): no superuser. */
export const APP_ROLE = 'inpulse_app';
export const APP_ROLE_PASSWORD = 'inpulse_app';

function withDatabase(url: string, database: string, user?: { name: string; password: string }) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user) {
    parsed.username = user.name;
    parsed.password = user.password;
  }
  return parsed.toString();
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  // A broken connection fails the statement in flight; without a listener its 'error' event
  // would also end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Every object of the app's schemas (public, pgboss) that another role owns, given to the app's
 * role: a database made before the app ran as its own role, or a template, becomes its.
 * Extensions' objects stay where they are.
 */
const TAKE_OVER = (role: string) => `DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT n.nspname FROM pg_namespace n
            WHERE n.nspname = 'pgboss' AND pg_get_userbyid(n.nspowner) <> '${role}' LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, '${role}');
  END LOOP;
  FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND pg_get_userbyid(c.relowner) <> '${role}'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', r.nspname, r.relname, '${role}');
  END LOOP;
  FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('public', 'pgboss') AND c.relkind = 'S'
              AND pg_get_userbyid(c.relowner) <> '${role}'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')) LOOP
    EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO %I', r.nspname, r.relname, '${role}');
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS routine FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('public', 'pgboss') AND pg_get_userbyid(p.proowner) <> '${role}'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.routine, '${role}');
  END LOOP;
  FOR r IN SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname IN ('public', 'pgboss') AND t.typtype IN ('e', 'd')
              AND pg_get_userbyid(t.typowner) <> '${role}'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER TYPE %I.%I OWNER TO %I', r.nspname, r.typname, '${role}');
  END LOOP;
END $$`;

/**
 * Through a superuser connection (`adminUrl`): the app's role (no superuser, no CREATEROLE or
 * CREATEDB), the database `database` owned by it (created if missing), and every object in it
 * given to it. Returns the URL the app connects with. Idempotent.
 */
export async function provisionAppDatabase(
  adminUrl: string,
  database: string,
  options: { createDatabase?: boolean } = {},
): Promise<string> {
  const name = database.replace(/"/g, '');
  await withClient(withDatabase(adminUrl, 'postgres'), async (admin) => {
    const role = await admin.query('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (role.rowCount === 0)
      await admin.query(
        `CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${APP_ROLE_PASSWORD}'`,
      );
    else if (role.rows[0].rolsuper) await admin.query(`ALTER ROLE ${APP_ROLE} NOSUPERUSER`);
    const found = await admin.query(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [name],
    );
    if (found.rowCount === 0) {
      if (options.createDatabase === false) throw new Error(`no database ${name}`);
      await admin.query(`CREATE DATABASE "${name}" OWNER ${APP_ROLE}`);
    } else if (found.rows[0].owner !== APP_ROLE)
      await admin.query(`ALTER DATABASE "${name}" OWNER TO ${APP_ROLE}`);
  });
  await withClient(withDatabase(adminUrl, name), (admin) => admin.query(TAKE_OVER(APP_ROLE)));
  return withDatabase(adminUrl, name, { name: APP_ROLE, password: APP_ROLE_PASSWORD });
}

/** Whether the role of this connection is a superuser (the app warns if it is). */
export async function isSuperuser(query: (sql: string) => Promise<{ rolsuper: boolean }[]>) {
  const [row] = await query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  return row?.rolsuper === true;
}
