import { Metrics } from './metrics';

describe('Metrics', () => {
  it('writes Prometheus text: HELP, TYPE, every declared label set, NaN for an unknown gauge', () => {
    const metrics = new Metrics();
    metrics.define('inpulse_things_total', 'counter', 'Things', [{ kind: 'a' }, { kind: 'b"c' }]);
    metrics.define('inpulse_level', 'gauge', 'A level');
    metrics.increment('inpulse_things_total', { kind: 'a' });
    metrics.increment('inpulse_things_total', { kind: 'a' }, 2);
    expect(metrics.text()).toBe(
      [
        '# HELP inpulse_things_total Things',
        '# TYPE inpulse_things_total counter',
        'inpulse_things_total{kind="a"} 3',
        'inpulse_things_total{kind="b\\"c"} 0',
        '# HELP inpulse_level A level',
        '# TYPE inpulse_level gauge',
        'inpulse_level NaN',
        '',
      ].join('\n'),
    );
    metrics.set('inpulse_level', 1.5);
    expect(metrics.value('inpulse_level')).toBe(1.5);
    expect(() => metrics.increment('inpulse_unknown')).toThrow(/not defined/);
  });
});
