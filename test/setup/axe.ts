/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** axe-core's browser build, read once. */
let axeSource: string | undefined;
const AXE_PATH = join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');
/** Where the page loads it from: an address of its own origin, answered by the test itself. */
const AXE_URL_PATH = '/__test__/axe.min.js';
/** Pages that already answer that address. */
const routed = new WeakSet<Page>();

/** One rule broken on a page, with where: the rule, its help text and the first few elements. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
  /** What axe says about the first element (e.g. the contrast ratio it measured). */
  detail: string;
}

/**
 * Runs axe-core in the page and returns the violations (by default of WCAG 2.0 and 2.1, A and
 * AA). The script is injected with a script tag by an address on the page's own origin, which
 * the test answers (page.route) without the app: the pages' Content-Security-Policy
 * (`script-src 'self'`) stays as it is and is checked along the way.
 */
export async function axeViolations(
  page: Page,
  options: { tags?: string[]; rules?: string[] } = {},
): Promise<AxeViolation[]> {
  const loaded = () => page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!(await loaded())) {
    const url = new URL(AXE_URL_PATH, page.url()).href;
    if (!routed.has(page)) {
      routed.add(page);
      await page.route(`**${AXE_URL_PATH}`, (route) => {
        axeSource ??= readFileSync(AXE_PATH, 'utf8');
        return route.fulfill({ contentType: 'text/javascript', body: axeSource });
      });
    }
    await page.addScriptTag({ url });
  }
  const runOnly = options.rules
    ? { type: 'rule', values: options.rules }
    : { type: 'tag', values: options.tags ?? WCAG_AA };
  return page.evaluate(async (only) => {
    const axe = (window as unknown as { axe: AxeApi }).axe;
    const result = await axe.run(document, { runOnly: only, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      detail: (v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
    }));
  }, runOnly);
}

/** WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The violations as lines a failing test can print. */
export function describeViolations(where: string, violations: AxeViolation[]): string[] {
  return violations.map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(', ')} — ${v.detail}`,
  );
}

/** The part of axe-core's API used here. */
interface AxeApi {
  run(
    context: Document,
    options: Record<string, unknown>,
  ): Promise<{
    violations: {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[]; failureSummary?: string }[];
    }[];
  }>;
}
