/** Why a mail could not be sent, and whether trying again later can help. */
export interface SendFailure {
  permanent: boolean;
  reason: string;
}

/** Connection-level problems: the server (or the network to it) may come back. */
const TEMPORARY_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EAUTH',
  'ENOAUTH',
  'ETLS',
  'EPROTOCOL',
  'EMAXLIMIT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Sorts a send error. An SMTP 5xx reply (550 unknown user…) is permanent, except 503 (the
 * session was in the wrong state: a new connection can succeed); a 4xx reply (451 try again
 * later…), a refused or dropped connection and a time-out are temporary. Authentication
 * failures count as temporary too: they hit every mail until the configuration is fixed, and
 * the mails should then go. An envelope nodemailer refuses without asking the server (an
 * address it cannot use) and anything else unknown are permanent: retrying will not fix them.
 * The reason is scrubbed of anything that looks like a link token.
 */
export function classifySendError(error: unknown): SendFailure {
  const e = (error ?? {}) as {
    responseCode?: unknown;
    response?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    const reply = typeof e.response === 'string' ? e.response : message;
    const reason = reply.startsWith(String(responseCode)) ? reply : `${responseCode} ${reply}`;
    return {
      permanent: responseCode >= 500 && responseCode !== 503 && code !== 'EAUTH',
      reason: scrubReason(`SMTP ${reason}`),
    };
  }
  if (code !== undefined && TEMPORARY_CODES.has(code)) {
    return { permanent: false, reason: scrubReason(`${code}: ${message}`) };
  }
  return { permanent: true, reason: scrubReason(code ? `${code}: ${message}` : message) };
}

/** One line, at most 500 characters, with no link token or survey link in it. */
export function scrubReason(reason: string): string {
  return reason
    .replace(/\/s\/[^\s"'<>]*/g, '/s/[redacted]')
    .replace(/[A-Za-z0-9_-]{43,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** Seconds to wait before attempt n+1 after n failed attempts: base, 2·base, 4·base… ≤ 1 hour. */
export function retryDelaySeconds(failedAttempts: number, baseSeconds: number): number {
  const exponent = Math.max(0, Math.min(failedAttempts - 1, 20));
  return Math.min(3600, baseSeconds * 2 ** exponent);
}

// Deliberately plain, as the directory's own check: one @, no spaces, a dot in the domain.
const ADDRESS = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;

/** Whether an address is worth handing to the SMTP server at all. */
export function isDeliverableAddress(address: string): boolean {
  return address.length <= 320 && ADDRESS.test(address);
}
