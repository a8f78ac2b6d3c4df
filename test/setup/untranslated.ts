/**
 * Finds English left on a page rendered in another language: a simple check, meant for pages
 * rendered in `ja`, where no message of the catalogue is written in Latin letters. It reads the
 * page's text nodes (and the attributes people read or hear: placeholder, aria-label, title, alt,
 * label), leaves out what is not prose (script, style, code, pre, kbd, samp, and a textarea's
 * typed content), names that stay as they are, e-mail addresses, URLs and the test's own data, and
 * reports every run of two or more ASCII words in a row ("Sign out", "No tokens yet").
 *
 * Usage: `expect(untranslatedRuns(html, { allow: [team.name, user.email] })).toEqual([])`.
 */

/** Names written the same in every language: the product, protocols, formats, systems. */
export const NAMES_KEPT_AS_IS: readonly string[] = [
  'Jira Service Management',
  'Standard Webhooks',
  'inpulse',
  'iNPS',
  'NPS',
  'API',
  'OpenAPI',
  'CSV',
  'JSON',
  'SMTP',
  'HTTP',
  'HTTPS',
  'POST',
  'UTC',
  'UTF-8',
  'MiB',
  'JQL',
  'REST',
  'HMAC-SHA256',
  'README.md',
  'Jira',
  'Atlassian',
  'Zendesk',
  'ServiceNow',
  'Freshservice',
];

export interface UntranslatedOptions {
  /** Test data shown on the page (names of people, teams, integrations…), kept as they are. */
  allow?: readonly (string | RegExp)[];
}

const NOT_PROSE = ['script', 'style', 'code', 'pre', 'kbd', 'samp', 'textarea'];
const READ_ATTRIBUTES = ['placeholder', 'aria-label', 'title', 'alt', 'label'];

/** The pieces of text a person reads on the page, one per text node or attribute. */
export function visibleTexts(html: string): string[] {
  let rest = html.replace(/<!--[\s\S]*?-->/g, ' ');
  for (const tag of NOT_PROSE)
    rest = rest.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}>`, 'gi'), '\n');
  rest = rest.replace(/<[^>]*\btranslate="no"[^>]*>[\s\S]*?<\/[a-z]+>/gi, '\n');
  const texts: string[] = [];
  const attribute = new RegExp(`\\s(?:${READ_ATTRIBUTES.join('|')})="([^"]*)"`, 'gi');
  for (const tag of rest.match(/<[a-z][^>]*>/gi) ?? [])
    for (const match of tag.matchAll(attribute)) texts.push(decode(match[1]));
  for (const node of rest.replace(/<[^>]*>/g, '\n').split('\n')) {
    const text = decode(node).trim();
    if (text) texts.push(text);
  }
  return texts;
}

/** Every run of 2+ ASCII words left in the page's prose; an empty list when there is none. */
export function untranslatedRuns(html: string, options: UntranslatedOptions = {}): string[] {
  const runs: string[] = [];
  // Longest first, so that "Jira Service Management" goes before "Jira"; whole words only.
  const allowed = [...(options.allow ?? []), ...NAMES_KEPT_AS_IS]
    .map((item) =>
      typeof item === 'string'
        ? new RegExp(`(?<![A-Za-z])${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`, 'g')
        : new RegExp(item.source, `${item.flags.replace('g', '')}g`),
    )
    .sort((a, b) => b.source.length - a.source.length);
  for (const original of visibleTexts(html)) {
    let text = original
      .replace(/https?:\/\/\S+/g, ' ')
      .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ');
    for (const pattern of allowed) text = text.replace(pattern, ' ¦ ');
    for (const match of text.matchAll(/[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*)+/g))
      runs.push(`${match[0]}  (in “${original.slice(0, 80)}”)`);
  }
  return runs;
}

function decode(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}
