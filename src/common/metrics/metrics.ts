import { Injectable } from '@nestjs/common';

type Labels = Record<string, string>;

interface Family {
  type: 'counter' | 'gauge';
  help: string;
  /** One value per label set, keyed by its rendering (`{a="x"}`, or '' without labels). */
  values: Map<string, number>;
}

/**
 * The process's metrics, in Prometheus' text format at GET /metrics (metrics.controller.ts).
 * Deliberately tiny: counters and gauges with fixed label values, no histograms. Each instance
 * counts its own; Prometheus sums over instances.
 */
@Injectable()
export class Metrics {
  private readonly families = new Map<string, Family>();

  /** Declares a metric (its HELP line), with the label sets it always shows, zero until used. */
  define(name: string, type: Family['type'], help: string, labelSets: Labels[] = [{}]): void {
    const values = new Map<string, number>();
    for (const labels of labelSets) values.set(render(labels), type === 'gauge' ? NaN : 0);
    this.families.set(name, { type, help, values });
  }

  increment(name: string, labels: Labels = {}, by = 1): void {
    const values = this.family(name).values;
    const key = render(labels);
    values.set(key, (values.get(key) ?? 0) + by);
  }

  set(name: string, value: number, labels: Labels = {}): void {
    this.family(name).values.set(render(labels), value);
  }

  /** The current value (tests, and code that reads its own metric). */
  value(name: string, labels: Labels = {}): number | undefined {
    return this.families.get(name)?.values.get(render(labels));
  }

  /** Prometheus text exposition format 0.0.4. */
  text(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const [labels, value] of family.values) lines.push(`${name}${labels} ${format(value)}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string): Family {
    const family = this.families.get(name);
    if (!family) throw new Error(`metric ${name} is not defined`);
    return family;
  }
}

function render(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}

function format(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
