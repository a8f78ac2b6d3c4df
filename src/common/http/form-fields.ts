/** Reading urlencoded forms whose fields may be missing, repeated or of the wrong shape. */
export type Form = Record<string, unknown>;

export function asForm(body: unknown): Form {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Form) : {};
}

/** A single text field; '' when missing or not text. */
export function textField(form: Form, name: string): string {
  return typeof form[name] === 'string' ? (form[name] as string) : '';
}

/** A repeatable field (checkboxes, multiple select): its non-empty text values. */
export function listField(form: Form, name: string): string[] {
  const value = form[name];
  if (typeof value === 'string') return value ? [value] : [];
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v !== '')
    : [];
}
