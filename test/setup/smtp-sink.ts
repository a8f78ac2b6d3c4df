import { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Every mail the server accepted (answered 250), in order. */
  mails: ParsedMail[];
  /** How many accepted mails went to this address. */
  countTo(address: string): number;
  /** Answer RCPT TO for this address with this reply, e.g. 550 or 451, until cleared. */
  reject(address: string, code: number, message?: string): void;
  clearRejects(): void;
  /**
   * Accept `count` more mails, then hold every further one without answering (as a server
   * that stalls). `release()` accepts what is held; `discardHeld()` drops it unanswered.
   */
  holdAfter(count: number): void;
  /** Answer each mail only `ms` after it arrived (a slow server); 0 for at once. */
  slow(ms: number): void;
  /** Mails received and not answered yet (slowed or held). */
  inFlight(): number;
  /** The recipients of the mails received and not answered yet. */
  inFlightTo(): string[];
  /**
   * The name a mail's sender gave in its EHLO (nodemailer's `name`, e.g. from
   * `SMTP_URL=smtp://host:port/?name=worker-a`): which instance sent it.
   */
  senderOf(mail: ParsedMail): string | undefined;
  /** The EHLO names of the senders of the mails received and not answered yet. */
  inFlightFrom(): string[];
  held(): number;
  release(): void;
  discardHeld(): void;
  /** The server goes away (connections refused) and comes back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server inside the test process; it parses every mail it accepts. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ParsedMail[] = [];
  const rejects = new Map<string, { code: number; message: string }>();
  let acceptLeft = Infinity;
  let slowMs = 0;
  const slowed = new Set<ParsedMail>();
  let holding: { mail: ParsedMail; callback: (error?: Error | null) => void }[] = [];
  let port = 0;
  const senders = new WeakMap<ParsedMail, string>();

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 200,
      onRcptTo(address, _session, callback) {
        const rejection = rejects.get(address.address.toLowerCase());
        if (!rejection) return callback();
        const error = Object.assign(new Error(rejection.message), {
          responseCode: rejection.code,
        });
        callback(error);
      },
      onData(stream, session, callback) {
        const accept = (mail: ParsedMail) => {
          if (acceptLeft <= 0) {
            holding.push({ mail, callback });
            return;
          }
          acceptLeft -= 1;
          mails.push(mail);
          callback();
        };
        simpleParser(stream)
          .then((mail) => {
            if (session.hostNameAppearsAs) senders.set(mail, session.hostNameAppearsAs);
            if (slowMs <= 0) return accept(mail);
            slowed.add(mail);
            setTimeout(() => {
              slowed.delete(mail);
              accept(mail);
            }, slowMs);
          })
          .catch(callback);
      },
    });

  // A client that goes away mid-conversation (a sender killed with SIGKILL) makes the server
  // emit 'error' (ECONNRESET); that is the test's doing, not a failure of the sink.
  const withErrorsHandled = (s: SMTPServer) => s.on('error', () => undefined);
  let server = withErrorsHandled(create());
  const listen = async () => {
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  };
  const shut = () => new Promise<void>((resolve) => server.close(() => resolve()));
  await listen();

  const recipients = (mail: ParsedMail): string[] =>
    (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
      a.value.map((v) => (v.address ?? '').toLowerCase()),
    );

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    countTo: (address) => mails.filter((m) => recipients(m).includes(address.toLowerCase())).length,
    reject(address, code, message = code >= 500 ? '5.1.1 no such user' : '4.3.0 try later') {
      rejects.set(address.toLowerCase(), { code, message: `${message}` });
    },
    clearRejects: () => rejects.clear(),
    holdAfter(count) {
      acceptLeft = count;
    },
    held: () => holding.length,
    slow(ms) {
      slowMs = ms;
    },
    inFlight: () => slowed.size + holding.length,
    inFlightTo: () => [...slowed, ...holding.map((h) => h.mail)].flatMap(recipients),
    senderOf: (mail) => senders.get(mail),
    inFlightFrom: () =>
      [...slowed, ...holding.map((h) => h.mail)].map((mail) => senders.get(mail) ?? ''),
    release() {
      acceptLeft = Infinity;
      const waiting = holding;
      holding = [];
      for (const { mail, callback } of waiting) {
        mails.push(mail);
        callback();
      }
    },
    discardHeld() {
      acceptLeft = Infinity;
      const waiting = holding;
      holding = [];
      for (const { callback } of waiting) callback(new Error('dropped'));
    },
    async stop() {
      await shut();
    },
    async start() {
      server = withErrorsHandled(create());
      await listen();
    },
    close: () => shut(),
  };
}
