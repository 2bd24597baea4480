/** Where the local stack keeps its state: `<project>/.vocflow/stack/` (git-ignored). */
import { join, resolve } from 'node:path';

/** The repository root: this file lives in `packages/stack/src/`. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../../..');

export const DEFAULT_STATE_DIR = join(PROJECT_ROOT, '.vocflow', 'stack');

/** The poms that name the Kafka and S3Proxy artifacts to fetch from Maven Central. */
export const POMS_DIR = join(PROJECT_ROOT, 'infra', 'stack');

export interface StackPaths {
  readonly root: string;
  readonly kafka: {
    readonly dir: string;
    readonly dataDir: string;
    readonly serverProperties: string;
    readonly log4jProperties: string;
    readonly logFile: string;
    readonly outputFile: string;
    readonly pidFile: string;
    readonly classpathFile: string;
    readonly pom: string;
  };
  readonly s3: {
    readonly dir: string;
    readonly dataDir: string;
    readonly properties: string;
    readonly logFile: string;
    readonly pidFile: string;
    readonly classpathFile: string;
    readonly pom: string;
  };
  readonly redis: {
    readonly dir: string;
    readonly dataDir: string;
    readonly logFile: string;
    readonly pidFile: string;
  };
  readonly containersFile: string;
}

export function stackPaths(stateDir: string = DEFAULT_STATE_DIR): StackPaths {
  const root = resolve(stateDir);
  const kafka = join(root, 'kafka');
  const s3 = join(root, 's3');
  const redis = join(root, 'redis');
  return {
    root,
    kafka: {
      dir: kafka,
      dataDir: join(kafka, 'data'),
      serverProperties: join(kafka, 'server.properties'),
      log4jProperties: join(kafka, 'log4j.properties'),
      logFile: join(kafka, 'kafka.log'),
      outputFile: join(kafka, 'kafka.out'),
      pidFile: join(kafka, 'kafka.pid'),
      classpathFile: join(kafka, 'classpath.txt'),
      pom: join(POMS_DIR, 'kafka.pom.xml'),
    },
    s3: {
      dir: s3,
      dataDir: join(s3, 'data'),
      properties: join(s3, 's3proxy.conf'),
      logFile: join(s3, 's3proxy.log'),
      pidFile: join(s3, 's3proxy.pid'),
      classpathFile: join(s3, 'classpath.txt'),
      pom: join(POMS_DIR, 's3proxy.pom.xml'),
    },
    redis: {
      dir: redis,
      dataDir: join(redis, 'data'),
      logFile: join(redis, 'redis.log'),
      pidFile: join(redis, 'redis.pid'),
    },
    containersFile: join(root, 'containers.json'),
  };
}
