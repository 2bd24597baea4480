/**
 * Fetches Java artifacts with Maven and returns their classpath, straight from the local Maven
 * repository (`~/.m2`): `dependency:build-classpath` copies nothing, so a second clone costs one
 * Maven start (or nothing, when the cached classpath file still points at existing jars).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { StackError } from './errors.ts';

export const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export interface ClasspathRequest {
  readonly pom: string;
  /** Written as `<key>\n<classpath>`; reused while the key (pom + properties) is unchanged. */
  readonly cacheFile: string;
  /** `-D` properties for the pom (`kafka.version`, `s3proxy.version`). */
  readonly properties?: Readonly<Record<string, string>>;
  readonly what: string;
  readonly onProgress?: (message: string) => void;
}

export function classpathCacheKey(pomText: string, properties: Readonly<Record<string, string>>): string {
  const entries = Object.entries(properties).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(pomText).update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

/** Parses a cache file; `undefined` when stale (other key) or when a listed jar is gone. */
export function parseClasspathCache(
  text: string,
  key: string,
  fileExists = existsSync,
): string[] | undefined {
  const [cachedKey, classpath] = text.split('\n');
  if (cachedKey !== key || !classpath) return undefined;
  const jars = classpath.split(delimiter).filter((entry) => entry.length > 0);
  if (jars.length === 0 || !jars.every((jar) => fileExists(jar))) return undefined;
  return jars;
}

export async function resolveClasspath(request: ClasspathRequest): Promise<string[]> {
  const properties = request.properties ?? {};
  const key = classpathCacheKey(readFileSync(request.pom, 'utf8'), properties);
  if (existsSync(request.cacheFile)) {
    const cached = parseClasspathCache(readFileSync(request.cacheFile, 'utf8'), key);
    if (cached) return cached;
  }
  request.onProgress?.(
    `resolving ${request.what} jars with Maven (first time downloads from Maven Central)…`,
  );
  const outputFile = `${request.cacheFile}.tmp`;
  const args = [
    '-B',
    '-q',
    '-Dstyle.color=never',
    '-f',
    request.pom,
    `${DEPENDENCY_PLUGIN}:build-classpath`,
    '-Dmdep.includeScope=runtime',
    `-Dmdep.outputFile=${outputFile}`,
    ...Object.entries(properties).map(([name, value]) => `-D${name}=${value}`),
  ];
  const started = Date.now();
  const { code, output } = await run('mvn', args);
  if (code !== 0 || !existsSync(outputFile)) {
    throw new StackError(
      `could not fetch the ${request.what} jars with Maven (mvn exited ${code}). Is Maven Central reachable? ` +
        `Last output:\n${output.trim().split('\n').slice(-15).join('\n')}`,
    );
  }
  const jars = readFileSync(outputFile, 'utf8')
    .trim()
    .split(delimiter)
    .filter((entry) => entry.length > 0);
  writeFileSync(request.cacheFile, `${key}\n${jars.join(delimiter)}\n`);
  request.onProgress?.(
    `${request.what}: ${jars.length} jar(s) ready in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return jars;
}

function run(command: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new StackError(`\`${command}\` is not on PATH: install Apache Maven (e.g. apt-get install maven)`)
          : error,
      ),
    );
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
