import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, put between the app and PostgreSQL to play the network's and
 * the server's failures: connections reset (a failover, a proxy restarting), a stall (packets
 * no longer pass, nothing is closed), a refused port (the server is down) — and then the way
 * back. It counts what it did.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Destroys every connection with a TCP reset; returns how many it reset. */
  resetAll(): number;
  /** Stops passing bytes either way, closing nothing; new connections are accepted and held. */
  stall(): void;
  /**
   * Stalls as soon as the app sends bytes that contain `marker` (e.g. the name of a prepared
   * statement), holding those bytes: resolves then, with the connection caught mid-conversation.
   */
  stallOn(marker: string): Promise<void>;
  /** Stops listening: new connections are refused; open ones stay as they are. */
  refuse(): Promise<void>;
  /** Listening and passing bytes again, held bytes and held connections first. */
  restore(): Promise<void>;
  readonly stats: { accepted: number; reset: number; refused: boolean; stalled: boolean };
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  /** Bytes that arrived while stalled, per direction, passed on at restore. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const stats = { accepted: 0, reset: 0, refused: false, stalled: false };
  let trap: { marker: string; sprung: () => void } | undefined;

  const dial = (pair: Pair) => {
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => pair.client.destroy());
    upstream.on('close', () => pair.client.destroy());
    upstream.on('data', (chunk: Buffer) => {
      if (stats.stalled) {
        pair.toClient.push(chunk);
        upstream.pause();
      } else pair.client.write(chunk);
    });
    for (const chunk of pair.toUpstream.splice(0)) upstream.write(chunk);
  };

  const server = createServer((client) => {
    stats.accepted++;
    const pair: Pair = { client, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    client.on('data', (chunk: Buffer) => {
      if (!stats.stalled && trap && chunk.includes(trap.marker)) {
        stats.stalled = true;
        trap.sprung();
        trap = undefined;
      }
      if (stats.stalled || !pair.upstream) {
        pair.toUpstream.push(chunk);
        if (stats.stalled) client.pause();
      } else pair.upstream.write(chunk);
    });
    if (stats.stalled) client.pause();
    else dial(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    stats,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    resetAll() {
      let count = 0;
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
        pairs.delete(pair);
        count++;
      }
      stats.reset += count;
      return count;
    },
    stall() {
      stats.stalled = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    stallOn(marker) {
      return new Promise((resolve) => (trap = { marker, sprung: resolve }));
    },
    async refuse() {
      // Not listening from here on; close()'s callback would wait for the open connections.
      server.close();
      stats.refused = true;
    },
    async restore() {
      trap = undefined;
      if (stats.refused) {
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
        stats.refused = false;
      }
      if (stats.stalled) {
        stats.stalled = false;
        for (const pair of pairs) {
          if (!pair.upstream) dial(pair);
          else for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
          for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
          pair.client.resume();
          pair.upstream?.resume();
        }
      }
    },
    async close() {
      trap = undefined;
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      pairs.clear();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    },
  };
}
