import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where static files are served from: a URL prefix and its folder. */
export interface AssetRoot {
  prefix: string;
  root: string;
}

/** The app's own files, and Chart.js from its dependencies (the pages work on a closed network). */
export function assetRoots(projectRoot: string): AssetRoot[] {
  return [
    {
      prefix: '/assets/vendor/chart.js/',
      root: join(projectRoot, 'node_modules', 'chart.js', 'dist'),
    },
    { prefix: '/assets/', root: join(projectRoot, 'public') },
  ];
}

/** A year: what browsers keep a versioned asset for without asking again. */
const FOR_A_YEAR = 'public, max-age=31536000, immutable';

/**
 * Content versions of the static files (listed at start, each hashed once, when first asked for:
 * Chart.js ships a hundred files the pages never use). Pages refer to an asset as
 * `/assets/app.css?v=<version>`; that address is served to be kept for a year without
 * revalidation, so a survey page viewed after the first loads its stylesheet from the browser's
 * cache and sends nothing but the page request itself. (A request line for the stylesheet right
 * after a submit would say who answered when; such requests are not logged either: see
 * isStaticAsset.) Any other address of an asset is served to be revalidated (ETag).
 */
export class AssetVersions {
  /** Each static file's address and where it is; its version once computed. */
  private readonly files = new Map<string, string>();
  private readonly versions = new Map<string, string>();

  constructor(roots: AssetRoot[]) {
    for (const { prefix, root } of roots)
      for (const file of listFiles(root)) {
        const path = prefix + relative(root, file).split(sep).join('/');
        if (!this.files.has(path)) this.files.set(path, file);
      }
  }

  /** The first 16 hex digits of the SHA-256 of a static file, or undefined for any other path. */
  version(path: string): string | undefined {
    let version = this.versions.get(path);
    const file = this.files.get(path);
    if (version === undefined && file !== undefined) {
      version = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
      this.versions.set(path, version);
    }
    return version;
  }

  /** The versioned address of an asset (unchanged when it is not one of the static files). */
  url(path: string): string {
    const version = this.version(path);
    return version ? `${path}?v=${version}` : path;
  }

  /** Cache-Control for a static file's request: a year when it names the file's version. */
  cacheControl(url: string): string {
    const [path, query = ''] = url.split('?', 2);
    const version = new URLSearchParams(query).get('v');
    return version !== null && this.version(path) === version ? FOR_A_YEAR : 'no-cache';
  }

  /** A Fastify onSend hook setting Cache-Control on static files. */
  hook() {
    return (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done) => {
      if (request.url.startsWith('/assets/'))
        reply.header('cache-control', this.cacheControl(request.url));
      done(null, payload);
    };
  }
}

type Done = (error: Error | null, payload: unknown) => void;

/**
 * Requests browsers make by themselves for a page — its static files, favicons — which carry
 * nothing worth logging and whose line (address, instant) beside a survey's would say who
 * answered when. Case and percent-encoding do not get around it.
 */
export function isStaticAsset(url: string): boolean {
  const raw = url.split(/[?#]/, 1)[0];
  let path: string;
  try {
    path = decodeURIComponent(raw).toLowerCase();
  } catch {
    path = raw.toLowerCase();
  }
  return /^\/+(assets(\/|$)|favicon|apple-touch-icon)/.test(path);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
