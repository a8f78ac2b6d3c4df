import { join } from 'node:path';
import { I18n } from '../../common/i18n/i18n.service';
import { createHandlebars } from '../../common/views/handlebars';
import { reviewAddress, reviewFormAuthentic } from './review-form';
import { csrfToken } from '../../common/http/csrf';

const views = join(process.cwd(), 'views');

describe('the review request form', () => {
  const hbs = createHandlebars(new I18n(join(views, 'locales')), views);

  it('renders as the directory includes it, field by field, in the page’s language', () => {
    const page = hbs.compile('{{> review-request slug=team.slug csrf=reviewCsrf lang=locale}}');
    const fa = page({ locale: 'fa', team: { slug: 'it-desk' }, reviewCsrf: 'tok"en' });
    expect(fa).toContain('action="/services/it-desk/review"');
    expect(fa).toContain('name="_csrf" value="tok&quot;en"');
    expect(fa).toContain('name="lang" value="fa"');
    expect(fa).toContain('نشانی ایمیل کاری شما');
    const en = page({ locale: 'en', team: { slug: 'it-desk' }, reviewCsrf: 'x' });
    expect(en).toContain('Your work e-mail address');
    expect(en).toContain('Send me a link');
  });

  it('renders from reviewFormContext as its context, with an error and the address again', () => {
    const html = hbs.compile('{{> review-request reviewForm email=email error=error}}')({
      locale: 'es',
      reviewForm: { slug: 'hr', csrf: 'c', lang: 'es' },
      email: '<b>x</b>',
      error: 'Escribe tu correo electrónico del trabajo.',
    });
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    expect(html).toContain('Escribe tu correo electrónico del trabajo.');
  });

  it('takes an address trimmed and lower-cased, and refuses what is not one', () => {
    expect(reviewAddress('  Ana.Garcia@Example.COM ')).toEqual({ email: 'ana.garcia@example.com' });
    expect(reviewAddress(undefined)).toEqual({ problem: 'missing' });
    expect(reviewAddress('   ')).toEqual({ problem: 'missing' });
    expect(reviewAddress(['a@b.c'])).toEqual({ problem: 'invalid' });
    for (const bad of ['ana', 'ana@', '@example.com', 'ana@example', 'a b@example.com', 'a@b@c.d'])
      expect({ bad, got: reviewAddress(bad) }).toEqual({ bad, got: { problem: 'invalid' } });
    expect(reviewAddress(`${'a'.repeat(310)}@example.com`)).toEqual({ problem: 'invalid' });
  });

  it('accepts a token only for the team whose form gave it', () => {
    const config = { appSecret: 's'.repeat(32) };
    const nonce = 'n'.repeat(24);
    const token = csrfToken(config.appSecret, nonce, 'review-request:it');
    expect(reviewFormAuthentic(config, nonce, 'it', token)).toBe(true);
    expect(reviewFormAuthentic(config, nonce, 'hr', token)).toBe(false);
    expect(reviewFormAuthentic(config, 'm'.repeat(24), 'it', token)).toBe(false);
    expect(reviewFormAuthentic(config, undefined, 'it', token)).toBe(false);
  });
});
