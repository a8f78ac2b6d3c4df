import { PassThrough } from 'node:stream';
import { chooseLogFormat, ConfigError, loadConfig } from '../../config/app-config';
import { createLogger, REDACTED, redactPath } from './logger';
import { PinoNestLogger } from './pino-nest-logger';

/** What a logger wrote to `stream`, once it has passed it on. */
function capture(): { stream: PassThrough; text: () => Promise<string> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return {
    stream,
    text: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return text;
    },
  };
}

describe('log format', () => {
  it('is readable on a terminal and JSON lines otherwise, unless LOG_FORMAT says', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('is read from LOG_FORMAT, with the terminal deciding when it is not set', () => {
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({}, { terminal: true }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'JSON' }, { terminal: true }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json or pretty/);
  });

  it('writes JSON lines in the json format', async () => {
    const out = capture();
    const nest = new PinoNestLogger(createLogger('log', out.stream, 'json'));
    nest.log('applied migrations: Initial', 'inpulse');
    const lines = (await out.text()).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      msg: 'applied migrations: Initial',
      context: 'inpulse',
    });
  });

  it('writes one readable line per entry in the pretty format, secrets still redacted', async () => {
    const out = capture();
    const pino = createLogger('log', out.stream, 'pretty');
    new PinoNestLogger(pino).log('inpulse listening on http://localhost:3000', 'inpulse');
    pino.info(
      {
        req: { method: 'GET', url: '/s/secret-token' },
        res: { statusCode: 200 },
        responseTime: 3.14,
      },
      'request completed',
    );
    pino.info({ password: 'hunter2-hunter2' }, 'signed in');
    const text = await out.text();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/INFO.*\[inpulse\] inpulse listening on http:\/\/localhost:3000$/);
    expect(lines[1]).toMatch(/INFO.*GET \/s\/\[redacted\] 200 \(3\.1 ms\)$/);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('{"level"');
  });

  it("keeps Nest's line per module and route out of a normal start", async () => {
    const out = capture();
    const nest = new PinoNestLogger(createLogger('log', out.stream, 'json'));
    nest.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('HealthController {/}:', 'RoutesResolver');
    nest.log('inpulse listening on http://localhost:3000', 'inpulse');
    const lines = (await out.text()).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'inpulse listening on http://localhost:3000',
    ]);

    const verbose = capture();
    new PinoNestLogger(createLogger('debug', verbose.stream, 'json')).log(
      'Mapped {/healthz, GET} route',
      'RouterExplorer',
    );
    expect(JSON.parse(await verbose.text())).toMatchObject({
      level: 20,
      context: 'RouterExplorer',
    });
  });
});

describe('paths in logs', () => {
  it('hide the secret segment of survey, set-up and directory reader links', () => {
    expect(redactPath('/s/secret-token?score=9')).toBe(`/s/${REDACTED}`);
    expect(redactPath('/account/setup/secret')).toBe(`/account/setup/${REDACTED}`);
    expect(redactPath('/services/pass/secret-pass')).toBe(`/services/pass/${REDACTED}`);
    expect(redactPath('/me/sign-in/secret-link')).toBe(`/me/sign-in/${REDACTED}`);
    expect(redactPath('/me/sign-in?sent=1')).toBe('/me/sign-in');
    expect(redactPath('/Services/%70ass/secret')).toBe(`/Services/%70ass/${REDACTED}`);
    expect(redactPath('/digest/unsubscribe/abc.def')).toBe(`/digest/unsubscribe/${REDACTED}`);
    expect(redactPath('/digest/unsubscribe/abc.def/resubscribe')).toBe(
      `/digest/unsubscribe/${REDACTED}/resubscribe`,
    );
    // A team's directory page and a search keep their path (the query never is logged).
    expect(redactPath('/services/it-desk?q=payslip')).toBe('/services/it-desk');
  });
});
