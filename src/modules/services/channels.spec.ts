import { channelHref } from './channels';

describe('contact channel links', () => {
  it('links e-mail, phone and https addresses', () => {
    expect(channelHref({ kind: 'email', value: 'it@example.com' })).toBe('mailto:it@example.com');
    expect(channelHref({ kind: 'phone', value: '+34 (91) 555-0100' })).toBe('tel:+34915550100');
    expect(channelHref({ kind: 'portal', value: 'https://help.example.com/it' })).toBe(
      'https://help.example.com/it',
    );
  });

  it('never links script, data, plain http or odd addresses', () => {
    for (const value of [
      'javascript:alert(1)',
      ' JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://help.example.com',
      'https://user:pw@help.example.com',
      '//evil.example.com',
    ]) {
      expect(channelHref({ kind: 'portal', value })).toBeUndefined();
      expect(channelHref({ kind: 'chat', value })).toBeUndefined();
    }
    expect(channelHref({ kind: 'email', value: 'javascript:alert(1)//@x.com' })).toBeUndefined();
    expect(channelHref({ kind: 'email', value: 'a@b.com?cc=other@x.com' })).toBeUndefined();
    expect(channelHref({ kind: 'phone', value: 'javascript:1' })).toBeUndefined();
    expect(channelHref({ kind: 'desk', value: 'https://example.com' })).toBeUndefined();
  });
});
