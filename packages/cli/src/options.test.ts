import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  arg,
  brokers,
  choiceList,
  day,
  Invalid,
  integer,
  invalidOptions,
  positiveNumber,
  time,
} from './options.ts';

const NOW = new Date('2026-12-01T18:30:00.000Z');
const at = time(() => NOW);

describe('time', () => {
  it('accepts days, times with and without an offset, and relative forms', () => {
    expect(at('2026-11-30')).toBe('2026-11-30T00:00:00.000Z');
    expect(at('2026-11-30T08:00')).toBe('2026-11-30T08:00:00.000Z');
    expect(at('2026-11-30T08:00:00+01:00')).toBe('2026-11-30T07:00:00.000Z');
    expect(at('2026-11-30T08:00:00.123Z')).toBe('2026-11-30T08:00:00.123Z');
    expect(at('now')).toBe('2026-12-01T18:30:00.000Z');
    expect(at('today')).toBe('2026-12-01T00:00:00.000Z');
    expect(at('yesterday')).toBe('2026-11-30T00:00:00.000Z');
    expect(at('90m')).toBe('2026-12-01T17:00:00.000Z');
    expect(at('24h')).toBe('2026-11-30T18:30:00.000Z');
    expect(at('7d')).toBe('2026-11-24T18:30:00.000Z');
    expect(at('2w')).toBe('2026-11-17T18:30:00.000Z');
  });

  it('refuses anything else with the forms it accepts', () => {
    for (const bad of ['soon', 'last week', '2026-02-30', '2026-13-01', '30/11/2026', '7 days', ''])
      expect(at(bad), bad).toBeInstanceOf(Invalid);
    expect((at('soon') as Invalid).problem).toContain('yesterday');
  });
});

describe('number parsers', () => {
  it('integer refuses words, fractions and values out of range', () => {
    const limit = integer({ min: 0, max: 100 });
    expect(limit('20')).toBe(20);
    expect(limit('abc')).toBeInstanceOf(Invalid);
    expect(limit('1.5')).toBeInstanceOf(Invalid);
    expect(limit('101')).toBeInstanceOf(Invalid);
    expect(limit('')).toBeInstanceOf(Invalid);
    expect((limit('abc') as Invalid).problem).toBe('expected a whole number from 0 to 100');
  });

  it('positiveNumber refuses zero, negatives and words', () => {
    const seconds = positiveNumber(60);
    expect(seconds('1.5')).toBe(1.5);
    for (const bad of ['0', '-1', 'soon', '61']) expect(seconds(bad), bad).toBeInstanceOf(Invalid);
  });
});

describe('day, brokers, choiceList', () => {
  it('day wants a real calendar day', () => {
    expect(day('2026-11-30')).toBe('2026-11-30');
    expect(day('2026-11-31')).toBeInstanceOf(Invalid);
    expect(day('yesterday')).toBeInstanceOf(Invalid);
  });

  it('brokers wants host:port entries', () => {
    expect(brokers('a:1, b:2')).toEqual(['a:1', 'b:2']);
    expect(brokers('foo bar')).toBeInstanceOf(Invalid);
  });

  it('choiceList names the unknown entries', () => {
    const services = choiceList(['ingest', 'api'] as const);
    expect(services('api,ingest')).toEqual(['api', 'ingest']);
    expect((services('api,bogus') as Invalid).problem).toContain('unknown bogus');
  });
});

describe('invalidOptions', () => {
  it('lists every option that did not parse, naming the flag or the variable it came from', () => {
    const command = new Command('x')
      .exitOverride()
      .option('--limit <n>', 'n', arg(integer({ min: 0 })))
      .option('--since <time>', 't', arg(at))
      .option('--ok <n>', 'n', arg(integer()));
    command.parse(['--limit', 'abc', '--since', 'soon', '--ok', '3'], { from: 'user' });
    const problems = invalidOptions(command);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^--limit: expected a whole number ≥ 0, got "abc"$/);
    expect(problems[1]).toMatch(/^--since: expected .*, got "soon"$/);
  });
});
