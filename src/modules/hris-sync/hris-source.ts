import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DomainError } from '../../common/errors/domain-error';
import { HrisSyncErrors } from './hris-sync.errors';

/** Hosts a plain-http URL may name: the machine itself (a local export). Anything else needs https. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export type HrisSource = { kind: 'url'; url: URL } | { kind: 'path'; path: string };

/**
 * Where a sync reads its file: an https URL (http only to the machine itself), or a path
 * relative to HRIS_SYNC_DIR — never absolute, never with a `..` segment, and (links resolved)
 * still inside that folder. Throws a domain error saying why a location is refused.
 */
export function parseSource(raw: string, dir: string | undefined): HrisSource {
  const source = raw.trim();
  if (source === '') throw HrisSyncErrors.sourceRefused('no file is set');
  if (/[\0\r\n]/.test(source)) throw HrisSyncErrors.sourceRefused('it holds control characters');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw HrisSyncErrors.sourceRefused('it is not a valid URL');
    }
    if (url.username || url.password)
      throw HrisSyncErrors.sourceRefused('a URL must not carry a user name or password');
    if (url.protocol === 'https:') return { kind: 'url', url };
    if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return { kind: 'url', url };
    throw HrisSyncErrors.sourceRefused('a URL must use https');
  }
  if (dir === undefined)
    throw HrisSyncErrors.sourceRefused('HRIS_SYNC_DIR is not set, so only https URLs are allowed');
  if (isAbsolute(source) || /^[a-z]:/i.test(source))
    throw HrisSyncErrors.sourceRefused(
      'give a path relative to HRIS_SYNC_DIR, not an absolute one',
    );
  if (source.split(/[\\/]/).includes('..'))
    throw HrisSyncErrors.sourceRefused('a path must not contain ".."');
  return { kind: 'path', path: resolve(dir, source) };
}

/** Reads the file (at most `maxBytes`; a URL within `timeoutMs`) as UTF-8 text. */
export async function readSource(
  source: HrisSource,
  options: { dir: string | undefined; maxBytes: number; timeoutMs: number },
): Promise<Buffer> {
  return source.kind === 'path' ? readPath(source.path, options) : readUrl(source.url, options);
}

async function readPath(path: string, options: { dir: string | undefined; maxBytes: number }) {
  let real: string;
  let realDir: string;
  try {
    realDir = await realpath(options.dir as string);
    real = await realpath(path);
  } catch {
    throw HrisSyncErrors.sourceUnreadable('no such file in HRIS_SYNC_DIR');
  }
  // A symbolic link must not lead out of the folder either.
  const inside = relative(realDir, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    throw HrisSyncErrors.sourceRefused('the file is outside HRIS_SYNC_DIR');
  const handle = await open(real, 'r').catch(() => {
    throw HrisSyncErrors.sourceUnreadable('the file cannot be opened');
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw HrisSyncErrors.sourceUnreadable('it is not a file');
    if (stat.size > options.maxBytes)
      throw HrisSyncErrors.sourceUnreadable(`it is larger than ${options.maxBytes} bytes`);
    const buffer = Buffer.alloc(stat.size);
    await handle.read(buffer, 0, stat.size, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}

async function readUrl(url: URL, options: { maxBytes: number; timeoutMs: number }) {
  let response: Response;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    response = await fetch(url, { redirect: 'manual', signal });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${Math.round(options.timeoutMs / 1000)} s`
        : 'the server could not be reached';
    throw HrisSyncErrors.sourceUnreadable(reason);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw HrisSyncErrors.sourceUnreadable(
      `the URL redirects (${response.status}); give the final one`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw HrisSyncErrors.sourceUnreadable(`the server answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw HrisSyncErrors.sourceUnreadable(`it is larger than ${options.maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const part = reader ? await reader.read() : { done: true as const, value: undefined };
      if (part.done) break;
      size += part.value.length;
      if (size > options.maxBytes) {
        await reader?.cancel().catch(() => undefined);
        throw HrisSyncErrors.sourceUnreadable(`it is larger than ${options.maxBytes} bytes`);
      }
      chunks.push(Buffer.from(part.value));
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw HrisSyncErrors.sourceUnreadable(
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${Math.round(options.timeoutMs / 1000)} s`
        : 'the download broke off',
    );
  }
  return Buffer.concat(chunks);
}
