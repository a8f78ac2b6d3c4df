/**
 * A browser's worth of HTTP for the process tests: real requests to an app process (fetch), a
 * cookie jar, and the form fields (`_csrf`, `_ctx`) its pages carry. No redirect is followed.
 */
export interface Page {
  status: number;
  headers: Headers;
  body: string;
}

export class HttpBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly headers: Record<string, string> = {}) {}

  /** The cookie header this browser sends. */
  get cookie(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(base: string, path: string): Promise<Page> {
    return this.send(base, path, { method: 'GET' });
  }

  /** Posts a form (url-encoded) with the CSRF and context fields of `page`, when it has them. */
  async post(
    base: string,
    path: string,
    fields: Record<string, string>,
    page?: Page,
  ): Promise<Page> {
    const form = new URLSearchParams();
    const csrf = page && field(page, '_csrf');
    const ctx = page && field(page, '_ctx');
    if (csrf) form.append('_csrf', csrf);
    if (ctx) form.append('_ctx', ctx);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return this.send(base, path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }

  private async send(base: string, path: string, init: RequestInit): Promise<Page> {
    const res = await fetch(`${base}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...((init.headers as Record<string, string>) ?? {}),
        ...(this.cookies.size > 0 ? { cookie: this.cookie } : {}),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
}

/** The value of a hidden form field of the page. */
export function field(page: Page, name: string): string | undefined {
  return page.body.match(new RegExp(`name="${name}" value="([^"]+)"`))?.[1];
}
