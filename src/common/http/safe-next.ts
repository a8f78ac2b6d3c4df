/** Where to go after signing in: only a path on this site, never another origin. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 500) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- no control characters, no backslashes at all
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  try {
    const parsed = new URL(next, 'http://inpulse.invalid');
    if (parsed.origin !== 'http://inpulse.invalid') return '/';
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return '/';
  }
}
