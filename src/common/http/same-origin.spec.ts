import { sentFromThisSite } from './same-origin';

const BASE = 'https://inpulse.example.com';

describe('sentFromThisSite', () => {
  it.each([
    ['no header at all (old browsers, scripts, tests)', {}],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed or bookmarked)', { 'sec-fetch-site': 'none' }],
    ['Origin equal to BASE_URL', { origin: 'https://inpulse.example.com' }],
    ['Origin equal to BASE_URL, any case', { origin: 'HTTPS://Inpulse.Example.com' }],
    [
      'Origin: null from a page with Referrer-Policy: no-referrer, same-origin by Sec-Fetch-Site',
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    ],
    ['Origin: null from a browser without Sec-Fetch-Site', { origin: 'null' }],
    [
      'Origin equal to BASE_URL even when Sec-Fetch-Site disagrees',
      { origin: 'https://inpulse.example.com', 'sec-fetch-site': 'same-site' },
    ],
  ])('accepts %s', (_label, headers) => {
    expect(sentFromThisSite(headers, BASE)).toBe(true);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a neighbouring sub-domain)', { 'sec-fetch-site': 'same-site' }],
    ['an unknown Sec-Fetch-Site', { 'sec-fetch-site': 'whatever' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    [
      'a foreign Origin with Sec-Fetch-Site',
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ],
    ['the same host over http', { origin: 'http://inpulse.example.com' }],
    ['another port', { origin: 'https://inpulse.example.com:8443' }],
    ['a look-alike host', { origin: 'https://inpulse.example.com.evil.example' }],
    [
      'Origin: null with Sec-Fetch-Site: cross-site',
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
    ],
    ['two Origin values', { origin: ['https://inpulse.example.com', 'https://evil.example'] }],
    ['a malformed Origin', { origin: 'not a url' }],
  ])('refuses %s', (_label, headers) => {
    expect(sentFromThisSite(headers, BASE)).toBe(false);
  });

  it('compares with the origin of BASE_URL, not its path', () => {
    expect(
      sentFromThisSite({ origin: 'http://localhost:3000' }, 'http://localhost:3000/inpulse/'),
    ).toBe(true);
    expect(sentFromThisSite({ origin: 'http://localhost:3001' }, 'http://localhost:3000')).toBe(
      false,
    );
  });
});
