/**
 * A form's words for the API fields its problems name: `openDays` → "days open". A label may
 * take a list position (`mappingRules[2]` → "mapping rule 3"; without one, the whole list).
 */
export type FieldLabels = Record<string, string | ((position?: number) => string)>;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A problem as the API says it ("openDays must be …", "mappingRules[2]: match must …") as a
 * form says it, in the words of the form's labels ("Days open must be …", "Mapping rule 3:
 * match must …"): services keep one set of checks, and HR never reads an API field name.
 */
export function inFormWords(problem: string, labels: FieldLabels): string {
  const names = Object.keys(labels).sort((a, b) => b.length - a.length);
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  if (names.length === 0) return capital(problem);
  const pattern = new RegExp(
    `(?<![\\w.\\[])(${names.map(escape).join('|')})(?:\\[(\\d{1,6})\\])?(?![\\w\\[])`,
    'g',
  );
  const worded = problem.replace(pattern, (_match, name: string, index: string | undefined) => {
    const label = labels[name];
    const position = index === undefined ? undefined : Number(index) + 1;
    if (typeof label === 'function') return label(position);
    return position === undefined ? label : `${label} ${position}`;
  });
  return capital(worded);
}
