import {
  jiraSignature,
  jiraTimestampProblem,
  standardWebhooksSignature,
  verifyDelivery,
  zendeskSignature,
} from './signatures';

const NOW = Date.parse('2026-03-02T10:15:30Z');
const BODY = Buffer.from('{"type":"ticket.resolved","ticket":{"id":"T-1"}}');
const GENERIC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const OTHER = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const PLAIN = 'zendesk-signing-secret-0123456789';

function generic(secret = GENERIC, at = NOW, body = BODY) {
  const ts = Math.floor(at / 1000);
  return {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(ts),
    'webhook-signature': standardWebhooksSignature(secret, 'msg_1', ts, body),
  };
}

const flipByte = (b: Buffer) => {
  const copy = Buffer.from(b);
  copy[5] ^= 1;
  return copy;
};

describe('webhook signatures', () => {
  it('Standard Webhooks: accepts the right one, and any of several during a rotation', () => {
    expect(verifyDelivery('generic', [GENERIC], generic(), BODY, NOW)).toEqual({
      ok: true,
      eventId: 'msg_1',
    });
    const headers = generic();
    headers['webhook-signature'] =
      `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`;
    expect(verifyDelivery('generic', [GENERIC], headers, BODY, NOW).ok).toBe(true);
    // Our side rotating: the previous secret still verifies.
    expect(verifyDelivery('generic', [OTHER, GENERIC], generic(GENERIC), BODY, NOW).ok).toBe(true);
  });

  it.each([
    ['missing', () => ({}), 'webhook.signature_missing'],
    [
      'forged',
      () => ({ ...generic(), 'webhook-signature': 'v1,AAAA' }),
      'webhook.signature_invalid',
    ],
    [
      'truncated',
      () => ({ ...generic(), 'webhook-signature': generic()['webhook-signature'].slice(0, 20) }),
      'webhook.signature_invalid',
    ],
    ['another secret', () => generic(OTHER), 'webhook.signature_invalid'],
    ['stale', () => generic(GENERIC, NOW - 6 * 60_000), 'webhook.timestamp_stale'],
    ['future', () => generic(GENERIC, NOW + 6 * 60_000), 'webhook.timestamp_future'],
    [
      'a bad time',
      () => ({ ...generic(), 'webhook-timestamp': '1e9' }),
      'webhook.timestamp_invalid',
    ],
  ])('Standard Webhooks: refuses a %s signature', (_, headers, code) => {
    expect(verifyDelivery('generic', [GENERIC], headers(), BODY, NOW)).toMatchObject({
      ok: false,
      code,
    });
  });

  it('Standard Webhooks: a changed byte or a re-timed body fails', () => {
    expect(verifyDelivery('generic', [GENERIC], generic(), flipByte(BODY), NOW).ok).toBe(false);
    const headers = generic();
    headers['webhook-timestamp'] = String(Number(headers['webhook-timestamp']) + 1);
    expect(verifyDelivery('generic', [GENERIC], headers, BODY, NOW).ok).toBe(false);
  });

  it('Zendesk: base64 HMAC of timestamp + body, with its invocation id', () => {
    const ts = new Date(NOW - 60_000).toISOString();
    const headers = {
      'x-zendesk-webhook-signature': zendeskSignature(PLAIN, ts, BODY),
      'x-zendesk-webhook-signature-timestamp': ts,
      'x-zendesk-webhook-invocation-id': '8350205582',
    };
    expect(verifyDelivery('zendesk', [PLAIN], headers, BODY, NOW)).toEqual({
      ok: true,
      eventId: '8350205582',
    });
    expect(verifyDelivery('zendesk', [PLAIN], headers, flipByte(BODY), NOW).ok).toBe(false);
    expect(verifyDelivery('zendesk', [`${PLAIN}x`], headers, BODY, NOW).ok).toBe(false);
    const stale = new Date(NOW - 10 * 60_000).toISOString();
    expect(
      verifyDelivery(
        'zendesk',
        [PLAIN],
        {
          'x-zendesk-webhook-signature': zendeskSignature(PLAIN, stale, BODY),
          'x-zendesk-webhook-signature-timestamp': stale,
        },
        BODY,
        NOW,
      ),
    ).toMatchObject({ ok: false, code: 'webhook.timestamp_stale' });
  });

  it('Jira: X-Hub-Signature sha256=hex, or the secret header from Automation; time from the payload', () => {
    const headers = { 'x-hub-signature': jiraSignature(PLAIN, BODY) };
    expect(verifyDelivery('jira', [PLAIN], headers, BODY, NOW).ok).toBe(true);
    expect(verifyDelivery('jira', [PLAIN], headers, flipByte(BODY), NOW).ok).toBe(false);
    expect(
      verifyDelivery('jira', [PLAIN], { 'x-hub-signature': 'sha256=zz' }, BODY, NOW),
    ).toMatchObject({ ok: false, code: 'webhook.signature_invalid' });
    expect(verifyDelivery('jira', [PLAIN], { 'x-inpulse-secret': PLAIN }, BODY, NOW).ok).toBe(true);
    expect(verifyDelivery('jira', [PLAIN], {}, BODY, NOW)).toMatchObject({
      ok: false,
      code: 'webhook.signature_missing',
    });
    expect(jiraTimestampProblem({ timestamp: NOW - 1000 }, NOW)).toBeUndefined();
    expect(jiraTimestampProblem({ timestamp: '2026-03-02T10:15:00.0+0000' }, NOW)).toBeUndefined();
    expect(jiraTimestampProblem({ timestamp: NOW - 3_600_000 }, NOW)).toMatchObject({
      code: 'webhook.timestamp_stale',
    });
    expect(jiraTimestampProblem({}, NOW)).toMatchObject({ code: 'webhook.timestamp_invalid' });
  });

  it('ServiceNow and Freshservice: the secret header, compared in constant time', () => {
    for (const kind of ['servicenow', 'freshservice'] as const) {
      expect(verifyDelivery(kind, [PLAIN], { 'x-inpulse-secret': PLAIN }, BODY, NOW).ok).toBe(true);
      expect(
        verifyDelivery(kind, [PLAIN], { 'x-inpulse-secret': PLAIN.slice(1) }, BODY, NOW).ok,
      ).toBe(false);
      expect(
        verifyDelivery(
          kind,
          ['old-secret-0123456789', PLAIN],
          { 'x-inpulse-secret': PLAIN },
          BODY,
          NOW,
        ).ok,
      ).toBe(true);
      expect(verifyDelivery(kind, [PLAIN], {}, BODY, NOW)).toMatchObject({
        ok: false,
        code: 'webhook.signature_missing',
      });
    }
  });
});
