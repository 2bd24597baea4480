import { describe, expect, it } from 'vitest';
import { classpathCacheKey, parseClasspathCache } from './jars.ts';

describe('classpath cache', () => {
  const key = classpathCacheKey('<project/>', { 'kafka.version': '3.9.1' });

  it('reuses a cached classpath while the pom and versions are unchanged and every jar exists', () => {
    expect(parseClasspathCache(`${key}\n/a.jar:/b.jar\n`, key, () => true)).toEqual(['/a.jar', '/b.jar']);
  });

  it('resolves again after a version change or when a jar is gone', () => {
    const other = classpathCacheKey('<project/>', { 'kafka.version': '3.9.2' });
    expect(other).not.toBe(key);
    expect(parseClasspathCache(`${other}\n/a.jar\n`, key, () => true)).toBeUndefined();
    expect(parseClasspathCache(`${key}\n/a.jar:/b.jar\n`, key, (jar) => jar === '/a.jar')).toBeUndefined();
    expect(parseClasspathCache(`${key}\n`, key, () => true)).toBeUndefined();
  });
});
