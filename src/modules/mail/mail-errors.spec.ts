import {
  classifySendError,
  isDeliverableAddress,
  retryDelaySeconds,
  scrubReason,
} from './mail-errors';

describe('sorting send errors', () => {
  it('treats SMTP 5xx replies as permanent and 4xx replies as temporary', () => {
    const unknownUser = Object.assign(new Error("Can't send mail - all recipients were rejected"), {
      code: 'EENVELOPE',
      responseCode: 550,
      response: '550 5.1.1 <nobody@example.com>: unknown user',
    });
    expect(classifySendError(unknownUser)).toEqual({
      permanent: true,
      reason: 'SMTP 550 5.1.1 <nobody@example.com>: unknown user',
    });
    const later = Object.assign(new Error('Try again'), {
      code: 'EENVELOPE',
      responseCode: 451,
      response: '451 4.3.0 mailbox busy, try again later',
    });
    expect(classifySendError(later)).toMatchObject({ permanent: false });
    expect(classifySendError(later).reason).toContain('451');
    const badSequence = Object.assign(new Error('Bad sequence'), { responseCode: 503 });
    expect(classifySendError(badSequence).permanent).toBe(false);
  });

  it('treats an envelope refused before the server was asked as permanent', () => {
    const noRecipient = Object.assign(new Error('No recipients defined'), { code: 'EENVELOPE' });
    expect(classifySendError(noRecipient)).toEqual({
      permanent: true,
      reason: 'EENVELOPE: No recipients defined',
    });
    expect(isDeliverableAddress('ana@example.com')).toBe(true);
    for (const bad of ['', 'ana', 'ana@example', 'a b@example.com', '<a@example.com>']) {
      expect(isDeliverableAddress(bad)).toBe(false);
    }
  });

  it('treats refused connections and time-outs as temporary, and the rest as permanent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), {
      code: 'ECONNECTION',
    });
    expect(classifySendError(refused)).toMatchObject({ permanent: false });
    expect(classifySendError(refused).reason).toContain('ECONNREFUSED');
    const timeout = Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' });
    expect(classifySendError(timeout).permanent).toBe(false);
    const auth = Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 });
    expect(classifySendError(auth).permanent).toBe(false);
    expect(classifySendError(new Error('template missing')).permanent).toBe(true);
    expect(classifySendError('weird').reason).toBe('weird');
  });

  it('never keeps a link or a token in the reason, and keeps it short', () => {
    const token = 'A'.repeat(20) + '_' + 'b'.repeat(22);
    const reason = scrubReason(
      `rejected http://localhost:3000/s/${token} and ${token}\n${'x'.repeat(900)}`,
    );
    expect(reason).not.toContain(token);
    expect(reason).toContain('/s/[redacted]');
    expect(reason.length).toBeLessThanOrEqual(500);
    expect(reason).not.toContain('\n');
  });

  it('backs off exponentially up to an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, 30))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(30, 30)).toBe(3600);
  });
});
