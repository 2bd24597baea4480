import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Where the dashboard test finds Chromium: `CHROMIUM_PATH`, else Debian's package. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** Chromium and a CJK font, so the dashboard's Chinese text renders as glyphs, not empty boxes. */
export const CHROMIUM_PACKAGES = ['chromium', 'fonts-wqy-microhei'] as const;
export const INSTALL_COMMAND = `sudo apt-get install -y --no-install-recommends ${CHROMIUM_PACKAGES.join(' ')}`;

export interface ChromiumHost {
  readonly path: string;
  readonly executable: (path: string) => boolean;
  readonly isRoot: boolean;
  readonly hasApt: boolean;
  /** Runs a command with its output shown; true when it exited 0. */
  readonly run: (command: string, args: readonly string[]) => boolean;
  readonly log: (line: string) => void;
}

export type ChromiumOutcome = 'present' | 'installed';

/**
 * Makes sure Chromium is there for the dashboard test: present → nothing to do; missing, as root with
 * apt → installs Debian's `chromium` and a CJK font; otherwise (or when the install fails) throws at once with the
 * one command to run, instead of letting the test time out.
 */
export function ensureChromium(host: ChromiumHost): ChromiumOutcome {
  if (host.executable(host.path)) return 'present';
  const custom = host.path !== DEFAULT_CHROMIUM;
  if (!custom && host.isRoot && host.hasApt) {
    host.log(`Chromium not found at ${host.path}: installing Debian's chromium package (apt-get)…`);
    const ok =
      host.run('apt-get', ['update', '-qq']) &&
      host.run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...CHROMIUM_PACKAGES]);
    if (ok && host.executable(host.path)) return 'installed';
  }
  throw new Error(
    custom
      ? `CHROMIUM_PATH=${host.path} is not an executable; point it at Chromium or unset it to use ${DEFAULT_CHROMIUM}`
      : `The dashboard test needs Chromium at ${DEFAULT_CHROMIUM} (or CHROMIUM_PATH). Install it with:\n  ${INSTALL_COMMAND}`,
  );
}

/** The host this process runs on. */
export function localChromiumHost(env: Readonly<Record<string, string | undefined>>): ChromiumHost {
  return {
    path: env['CHROMIUM_PATH'] ?? DEFAULT_CHROMIUM,
    executable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    isRoot: process.getuid?.() === 0,
    hasApt: spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0,
    run: (command, args) => spawnSync(command, [...args], { stdio: 'inherit' }).status === 0,
    log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
  };
}
