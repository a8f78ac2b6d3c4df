import {
  newSigningSecret,
  openRequester,
  openSecret,
  samplingBucket,
  sealRequester,
  sealSecret,
  signingSecretProblem,
} from './secrets';

const APP = 'an-app-secret-of-at-least-32-characters!';

describe('integration secrets', () => {
  it('seal and open under APP_SECRET; another APP_SECRET cannot open them', () => {
    const sealed = sealSecret(APP, 'whsec_abc');
    expect(sealed.toString('utf8')).not.toContain('whsec_abc');
    expect(openSecret(APP, sealed)).toBe('whsec_abc');
    expect(openSecret(`${APP}x`, sealed)).toBeUndefined();
    expect(sealSecret(APP, 'same').equals(sealSecret(APP, 'same'))).toBe(false);
  });

  it('are generated in each scheme’s shape, and pasted ones are checked', () => {
    expect(newSigningSecret('generic')).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newSigningSecret('jira')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signingSecretProblem('generic', newSigningSecret('generic'))).toBeUndefined();
    expect(signingSecretProblem('generic', 'whsec_short')).toMatch(/whsec_/);
    expect(signingSecretProblem('zendesk', 'dGhpcyBpcyBhIHNlY3JldCBvZiBaZW5kZXNr')).toBeUndefined();
    expect(signingSecretProblem('zendesk', 'short')).toMatch(/16 to 200/);
    expect(signingSecretProblem('zendesk', 'has a space in it 0123')).toMatch(/spaces/);
  });

  it('seal the requester: unreadable, padded to one length, opened only under APP_SECRET', () => {
    const sealed = sealRequester(APP, 'mia@example.com') as Buffer;
    expect(sealed.toString('latin1')).not.toContain('mia');
    expect(openRequester(APP, sealed)).toBe('mia@example.com');
    expect(openRequester(`${APP}x`, sealed)).toBeNull();
    expect(sealRequester(APP, null)).toBeNull();
    expect(openRequester(APP, null)).toBeNull();
    // The length does not tell one address from another.
    expect((sealRequester(APP, 'al@x.io') as Buffer).length).toBe(sealed.length);
  });

  it('sample each ticket the same way every time, about evenly', () => {
    expect(samplingBucket(APP, 'i', 't')).toBe(samplingBucket(APP, 'i', 't'));
    const buckets = Array.from({ length: 2000 }, (_, i) => samplingBucket(APP, 'i', `t${i}`));
    const under50 = buckets.filter((b) => b < 50).length;
    expect(under50).toBeGreaterThan(850);
    expect(under50).toBeLessThan(1150);
  });
});
