import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, realpath } from 'node:fs/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { DomainError } from '../../common/errors/domain-error';
import { HrisSyncErrors } from './hris-sync.errors';

/** Hosts a plain-http URL may name: the machine itself (a local export). Anything else needs https. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Addresses a sync URL may not reach unless HRIS_SYNC_ALLOW_PRIVATE: the machine itself, private
 * and shared networks, link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254 among
 * them), unique-local, multicast and reserved ranges.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2002::', 16],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Whether `address` (an IP literal) is one a sync URL may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return PRIVATE.check(bare, 'ipv4');
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1, ::ffff:7f00:1) is judged as IPv4.
  const mapped = /^::ffff:(?:0:)?(.+)$/i.exec(bare)?.[1];
  if (mapped) {
    if (isIP(mapped) === 4) return PRIVATE.check(mapped, 'ipv4');
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(mapped);
    if (hex) {
      const n = (parseInt(hex[1], 16) << 16) | parseInt(hex[2], 16);
      const v4 = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      return PRIVATE.check(v4, 'ipv4');
    }
    return true;
  }
  return PRIVATE.check(bare, 'ipv6');
}

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
  options: { dir: string | undefined; maxBytes: number; timeoutMs: number; allowPrivate?: boolean },
): Promise<Buffer> {
  return source.kind === 'path' ? readPath(source.path, options) : readUrl(source.url, options);
}

async function readPath(
  path: string,
  options: { dir: string | undefined; maxBytes: number; timeoutMs: number },
) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          HrisSyncErrors.sourceUnreadable(
            `no answer within ${Math.round(options.timeoutMs / 1000)} s`,
          ),
        ),
      options.timeoutMs,
    );
  });
  try {
    return await Promise.race([readPathNow(path, options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const outside = () => HrisSyncErrors.sourceRefused('the file is outside HRIS_SYNC_DIR');
const isInside = (realDir: string, real: string) => {
  const inside = relative(realDir, real);
  return !(inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside));
};

/**
 * Opens the file itself — never through a final symbolic link (O_NOFOLLOW), never waiting on a
 * FIFO or device (O_NONBLOCK) — then judges the opened handle: a regular file, within the size
 * limit, whose real path is inside the folder. What is read is what was judged, whatever
 * happens to the path in between.
 */
async function readPathNow(path: string, options: { dir: string | undefined; maxBytes: number }) {
  let realDir: string;
  try {
    realDir = await realpath(options.dir as string);
  } catch {
    throw HrisSyncErrors.sourceUnreadable('no such file in HRIS_SYNC_DIR');
  }
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      const target = await realpath(path).catch(() => undefined);
      if (!target || !isInside(realDir, target)) throw outside();
      throw HrisSyncErrors.sourceRefused('the file is a symbolic link: name the file itself');
    }
    throw HrisSyncErrors.sourceUnreadable(
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file in HRIS_SYNC_DIR'
        : 'the file cannot be opened',
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw HrisSyncErrors.sourceUnreadable('it is not a regular file');
    if (stat.size > options.maxBytes)
      throw HrisSyncErrors.sourceUnreadable(`it is larger than ${options.maxBytes} bytes`);
    // The opened file's own path (Linux: /proc/self/fd), else the path's, which must then be the
    // very file opened (same device and inode).
    const opened = await realpath(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened !== undefined) {
      if (!isInside(realDir, opened)) throw outside();
    } else {
      const real = await realpath(path).catch(() => undefined);
      const again = real ? await lstat(real).catch(() => undefined) : undefined;
      if (!real || !isInside(realDir, real)) throw outside();
      if (!again || again.ino !== stat.ino || again.dev !== stat.dev)
        throw HrisSyncErrors.sourceUnreadable('the file changed while it was opened');
    }
    const buffer = Buffer.alloc(stat.size);
    let at = 0;
    while (at < stat.size) {
      const { bytesRead } = await handle.read(buffer, at, stat.size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buffer.subarray(0, at);
  } finally {
    await handle.close();
  }
}

async function readUrl(
  url: URL,
  options: { maxBytes: number; timeoutMs: number; allowPrivate?: boolean },
) {
  const refuse = () =>
    HrisSyncErrors.sourceRefused(
      'the URL leads to a private, loopback or link-local address (set HRIS_SYNC_ALLOW_PRIVATE=true to allow it)',
    );
  if (!options.allowPrivate && isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) {
    if (isPrivateAddress(url.hostname)) throw refuse();
  }
  // The name is resolved once, at connect time, and the socket connects to the very address
  // judged here: a DNS answer that changes between a check and the connection cannot slip by.
  let refusedAddress = false;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, found) => {
      const addresses = found as unknown as LookupAddress[];
      if (error) return callback(error, '', 0);
      const allowed = options.allowPrivate
        ? addresses
        : addresses.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0 || allowed.length !== addresses.length) {
        refusedAddress = true;
        return callback(new Error('private address refused'), '', 0);
      }
      if ((lookupOptions as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
  const dispatcher = new Agent({ connect: { lookup } });
  let response: Awaited<ReturnType<typeof undiciFetch>>;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    response = await undiciFetch(url, { redirect: 'manual', signal, dispatcher });
  } catch (error) {
    await dispatcher.destroy().catch(() => undefined);
    if (refusedAddress) throw refuse();
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${Math.round(options.timeoutMs / 1000)} s`
        : 'the server could not be reached';
    throw HrisSyncErrors.sourceUnreadable(reason);
  }
  try {
    return await readBody(response, options);
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}

async function readBody(
  response: Awaited<ReturnType<typeof undiciFetch>>,
  options: { maxBytes: number; timeoutMs: number },
): Promise<Buffer> {
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
