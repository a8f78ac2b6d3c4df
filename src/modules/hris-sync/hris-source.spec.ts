import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../../common/errors/domain-error';
import { isPrivateAddress, parseSource, readSource } from './hris-source';

/**
 * A sync URL must not reach the machine itself, private networks or cloud metadata (the finding:
 * an HR admin's URL could read internal services) unless HRIS_SYNC_ALLOW_PRIVATE; the check is on
 * the resolved address the socket connects to.
 */
describe('HRIS source URLs', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('email,name\na@example.com,A\n'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const read = (raw: string, allowPrivate?: boolean) =>
    readSource(parseSource(raw, undefined), {
      dir: undefined,
      maxBytes: 10_000,
      timeoutMs: 2000,
      allowPrivate,
    });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => (error instanceof DomainError ? error : undefined),
    );

  it('refuses a URL on 127.0.0.1 without HRIS_SYNC_ALLOW_PRIVATE, reads it with it', async () => {
    const error = await refusal(read(`http://127.0.0.1:${port}/export.csv`));
    expect(error?.code).toBe('hris_sync.source_refused');
    expect(error?.message).toMatch(/private, loopback or link-local/);
    const bytes = await read(`http://127.0.0.1:${port}/export.csv`, true);
    expect(bytes.toString()).toContain('a@example.com');
  });

  it('refuses a host name that resolves to 127.0.0.1 (checked after DNS, at connect time)', async () => {
    const error = await refusal(read(`http://localhost:${port}/export.csv`));
    expect(error?.code).toBe('hris_sync.source_refused');
  });

  it('refuses IPv6 loopback and metadata literals', async () => {
    for (const url of [
      'https://[::1]/x',
      'https://169.254.169.254/latest',
      'https://[::ffff:7f00:1]/x',
    ])
      expect((await refusal(read(url)))?.code).toBe('hris_sync.source_refused');
  });

  it('knows which addresses are private', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      'not-an-ip',
    ])
      expect({ a, private: isPrivateAddress(a) }).toEqual({ a, private: true });
    for (const a of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect({ a, private: isPrivateAddress(a) }).toEqual({ a, private: false });
  });
});

/** A path is read from the opened file itself: no FIFO hang, no link out, whatever the race. */
describe('HRIS source paths', () => {
  let dir: string;
  let outsideDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inpulse-hris-src-'));
    outsideDir = await mkdtemp(join(tmpdir(), 'inpulse-hris-out-'));
    await writeFile(join(dir, 'people.csv'), 'email,name\na@example.com,A\n');
    await writeFile(join(outsideDir, 'secret.csv'), 'email,name\nsecret@example.com,S\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outsideDir, { recursive: true, force: true });
  });

  const read = (raw: string, timeoutMs = 2000) =>
    readSource(parseSource(raw, dir), { dir, maxBytes: 10_000, timeoutMs });
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => (error instanceof DomainError ? error : undefined),
    );

  it('reads a regular file of the folder', async () => {
    expect((await read('people.csv')).toString()).toContain('a@example.com');
  });

  it('refuses a FIFO at once instead of hanging', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    const started = Date.now();
    const error = await refusal(read('pipe.csv', 10_000));
    expect(error?.code).toBe('hris_sync.source_unreadable');
    expect(error?.message).toMatch(/not a regular file/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a symbolic link that leads out, and one through a linked folder', async () => {
    await symlink(join(outsideDir, 'secret.csv'), join(dir, 'out.csv'));
    const error = await refusal(read('out.csv'));
    expect(error?.code).toBe('hris_sync.source_refused');
    expect(error?.message).toMatch(/outside HRIS_SYNC_DIR/);
    // A folder inside that is a link to one outside: O_NOFOLLOW alone would not see it.
    await symlink(outsideDir, join(dir, 'sub'));
    const through = await refusal(read('sub/secret.csv'));
    expect(through?.code).toBe('hris_sync.source_refused');
    expect(through?.message).toMatch(/outside HRIS_SYNC_DIR/);
  });

  it('refuses a directory and a missing file', async () => {
    await mkdir(join(dir, 'folder.csv'));
    expect((await refusal(read('folder.csv')))?.message).toMatch(/not a regular file/);
    expect((await refusal(read('nope.csv')))?.message).toMatch(/no such file/);
  });
});
