import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { securityHeaders } from '../../common/http/security-headers';
import { RETRY_AFTER_SECONDS } from '../../database/db-errors';

export interface StartUpListener {
  /** What /readyz says is missing (e.g. "database unreachable (ECONNREFUSED)"). */
  setReason(reason: string): void;
  /** Stops listening and closes every connection: the port is free for the app. */
  close(): Promise<void>;
}

/**
 * A bare HTTP listener on the app's port while the app cannot start yet (the database is away,
 * migrations run): orchestrators and load balancers see a live process that is not ready,
 * rather than a refused port or a crash loop. `/healthz` answers 200, `/readyz` 503 with the
 * reason, everything else 503 with Retry-After. It reads no body, keeps no connection open and
 * logs nothing; once the app is ready it closes and the app listens on the same port.
 */
export function listenWhileStarting(options: {
  port: number;
  host: string;
  https: boolean;
  reason: string;
}): Promise<StartUpListener> {
  let reason = options.reason;
  const headers = {
    ...securityHeaders({ https: options.https }),
    'cache-control': 'no-store',
    connection: 'close',
  };
  const send = (res: ServerResponse, status: number, body: object, extra = {}) => {
    res.writeHead(status, { ...headers, ...extra, 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // drop any body
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    const retry = { 'retry-after': String(RETRY_AFTER_SECONDS) };
    if (path === '/readyz') return send(res, 503, { status: 'unavailable', reason }, retry);
    const message = 'inpulse is starting and cannot serve yet. Try again in a few seconds.';
    const accept = req.headers.accept ?? '';
    const json =
      path.startsWith('/api/') ||
      path.startsWith('/webhooks/') ||
      (accept.includes('application/json') && !accept.includes('text/html'));
    if (json)
      return send(
        res,
        503,
        { statusCode: 503, error: 'starting', message, details: { reason } },
        retry,
      );
    res.writeHead(503, { ...headers, ...retry, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${message}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        setReason: (next) => (reason = next),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
