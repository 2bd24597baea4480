import type { Kafka } from 'kafkajs';

/** A readiness check that asks the cluster for its metadata, cached briefly so probes stay cheap. */
export function kafkaReadiness(kafka: Kafka, cacheMs = 2_000): { name: string; check(): Promise<boolean> } {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let connected = false;
  let last = { at: 0, ok: false };
  let inFlight: Promise<boolean> | undefined;
  return {
    name: 'kafka',
    check() {
      if (Date.now() - last.at < cacheMs) return Promise.resolve(last.ok);
      inFlight ??= (async () => {
        try {
          if (!connected) {
            await admin.connect();
            connected = true;
          }
          await admin.describeCluster();
          last = { at: Date.now(), ok: true };
        } catch {
          connected = false;
          await admin.disconnect().catch(() => undefined);
          last = { at: Date.now(), ok: false };
        } finally {
          inFlight = undefined;
        }
        return last.ok;
      })();
      return inFlight;
    },
  };
}
