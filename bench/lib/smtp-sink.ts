import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  url: string;
  host: string;
  port: number;
  /** Messages accepted since the last reset, and their bytes. */
  accepted(): number;
  bytes(): number;
  /** Accepted messages per recipient since the last reset. */
  perRecipient(): Map<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A local SMTP sink for the benchmarks: a real SMTP server (smtp-server) that accepts every
 * message and only counts it (no parsing, so that it costs the machine as little as it can).
 */
export async function startCountingSink(): Promise<CountingSink> {
  let accepted = 0;
  let bytes = 0;
  let byRecipient = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 200,
    closeTimeout: 200,
    onData(stream, session, callback) {
      let size = 0;
      stream.on('data', (chunk: Buffer) => (size += chunk.length));
      stream.on('end', () => {
        accepted += 1;
        bytes += size;
        for (const to of session.envelope.rcptTo) {
          const address = to.address.toLowerCase();
          byRecipient.set(address, (byRecipient.get(address) ?? 0) + 1);
        }
        callback();
      });
    },
  });
  // A sender that drops its connection makes the server emit 'error'; the bench counts mails.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    accepted: () => accepted,
    bytes: () => bytes,
    perRecipient: () => byRecipient,
    reset() {
      accepted = 0;
      bytes = 0;
      byRecipient = new Map();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
