import { describe, expect, it } from 'vitest';
import { type ChromiumHost, DEFAULT_CHROMIUM, ensureChromium } from './chromium.ts';

function host(overrides: Partial<ChromiumHost> & { installs?: boolean } = {}) {
  const ran: string[] = [];
  let installed = false;
  const h: ChromiumHost = {
    path: DEFAULT_CHROMIUM,
    executable: () => installed,
    isRoot: true,
    hasApt: true,
    run: (command, args) => {
      ran.push([command, ...args].join(' '));
      if (args.includes('install')) installed = overrides.installs ?? true;
      return overrides.installs ?? true;
    },
    log: () => undefined,
    ...overrides,
  };
  return { h, ran };
}

describe('ensureChromium', () => {
  it('does nothing when Chromium is there', () => {
    const { h, ran } = host({ executable: () => true });
    expect(ensureChromium(h)).toBe('present');
    expect(ran).toEqual([]);
  });

  it("installs Debian's package as root with apt", () => {
    const { h, ran } = host();
    expect(ensureChromium(h)).toBe('installed');
    expect(ran.at(-1)).toMatch(/apt-get install .*chromium/);
  });

  it('stops at once with the command to run when it cannot install', () => {
    expect(() => ensureChromium(host({ isRoot: false }).h)).toThrow(
      /apt-get install -y --no-install-recommends chromium/,
    );
    expect(() => ensureChromium(host({ hasApt: false }).h)).toThrow(/Install it with/);
    expect(() => ensureChromium(host({ installs: false }).h)).toThrow(/Install it with/);
  });

  it('never installs over a CHROMIUM_PATH that is wrong; names it instead', () => {
    const { h, ran } = host({ path: '/opt/chrome/missing' });
    expect(() => ensureChromium(h)).toThrow(/CHROMIUM_PATH=\/opt\/chrome\/missing/);
    expect(ran).toEqual([]);
  });
});
