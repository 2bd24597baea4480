import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLogLine, parseOnly, servicePort, superviseServices } from './supervisor.ts';

function script(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vf-supervisor-'));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, body);
  return file;
}

describe('parseOnly', () => {
  it('runs every service when no list is given, in start order', () => {
    expect(parseOnly(undefined)).toEqual(['ingest', 'enrichment', 'aggregation', 'api']);
  });
  it('keeps the named subset and rejects unknown names', () => {
    expect(parseOnly('api, ingest')).toEqual(['ingest', 'api']);
    expect(() => parseOnly('ingest,bogus')).toThrow(/bogus/);
  });
});

describe('servicePort', () => {
  it('reads the port variable of the service, else its default', () => {
    expect(servicePort('api', {})).toBe(8081);
    expect(servicePort('api', { API_PORT: '9001' })).toBe(9001);
    expect(servicePort('aggregation', {})).toBe(8083);
  });
});

describe('formatLogLine', () => {
  it('shortens pino JSON to level, message and scalar fields', () => {
    const line = JSON.stringify({
      level: 'info',
      time: 'x',
      service: 'api',
      msg: 'api listening',
      url: 'http://a',
      err: { message: 'boom' },
    });
    expect(formatLogLine(line)).toBe('info  api listening  url=http://a err="boom"');
  });
  it('keeps nested fields such as the configuration as dotted keys', () => {
    const line = JSON.stringify({
      level: 'info',
      msg: 'configuration',
      config: { http: { port: 8080 }, apiKeys: ['[redacted]'], kafka: { clientId: undefined } },
    });
    expect(formatLogLine(line)).toBe(
      'info  configuration  config.http.port=8080 config.apiKeys=["[redacted]"]',
    );
  });
  it('passes other lines through', () => {
    expect(formatLogLine('plain text')).toBe('plain text');
    expect(formatLogLine('{not json')).toBe('{not json');
  });
});

describe('superviseServices', () => {
  it('prefixes child output and stops every child with SIGTERM', async () => {
    const entry = script(
      "console.log('ready'); process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); setInterval(() => {}, 1000);",
    );
    const lines: string[] = [];
    const supervisor = superviseServices({
      services: [
        { name: 'one', entry, env: process.env },
        { name: 'three', entry, env: process.env },
      ],
      write: (line) => lines.push(line),
    });
    await expect.poll(() => lines.filter((l) => l.endsWith('ready')).length).toBe(2);
    const exits = await supervisor.stop('test');
    expect(exits.map((e) => [e.name, e.code, e.unexpected])).toEqual([
      ['one', 0, false],
      ['three', 0, false],
    ]);
    expect(lines).toContain('one   │ ready');
    expect(lines).toContain('three │ bye');
  });

  it('kills a child that ignores SIGTERM after the deadline', async () => {
    const entry = script("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);");
    const lines: string[] = [];
    const supervisor = superviseServices({
      services: [{ name: 'stubborn', entry, env: process.env }],
      write: (l) => lines.push(l),
      stopDeadlineMs: 300,
    });
    await expect.poll(() => lines.some((l) => l.endsWith('up'))).toBe(true);
    const [exit] = await supervisor.stop('test');
    expect(exit?.signal).toBe('SIGKILL');
  });

  it('reports a child that exits on its own as unexpected, and restarts nothing', async () => {
    const entry = script('process.exit(3);');
    const unexpected: string[] = [];
    const supervisor = superviseServices({
      services: [{ name: 'crashy', entry, env: process.env }],
      write: () => undefined,
      onUnexpectedExit: (exit) => unexpected.push(`${exit.name}:${exit.code}`),
    });
    const exits = await supervisor.done;
    expect(exits[0]?.unexpected).toBe(true);
    expect(unexpected).toEqual(['crashy:3']);
  });
});
