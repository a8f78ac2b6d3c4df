/** Where to go after signing in: only a path on this site, never another origin. */
export function safeNext(next: unknown): string {
  if (!isLocalPath(next)) return '/';
  try {
    const parsed = new URL(next, 'http://inpulse.invalid');
    if (parsed.origin !== 'http://inpulse.invalid') return '/';
    const result = `${parsed.pathname}${parsed.search}`;
    // Normalising can turn "/.//evil.example" into "//evil.example": check what comes out too.
    return isLocalPath(result) ? result : '/';
  } catch {
    return '/';
  }
}

function isLocalPath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) return false;
  if (!value.startsWith('/') || value.startsWith('//')) return false;
  // No control characters, no backslashes at all (browsers read "\" as "/").
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return !/[\u0000-\u001f\u007f\\]/.test(value);
}
