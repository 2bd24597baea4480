/** Port checks: is anything listening, and may we bind it. */
import { connect, createServer } from 'node:net';

/** True when a TCP connection to host:port succeeds within `timeoutMs`. */
export function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (listening: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when this process could bind host:port right now (nothing else holds it). */
export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

export type PortOwner = 'free' | 'ours' | 'compatible' | 'foreign';

/**
 * Who holds a service's port: nobody; the process this stack started; another server that speaks the
 * service's protocol (another clone's stack, a user's own broker: reused, never stopped); or
 * something else, which is an error the user must resolve.
 */
export function classifyPort(facts: {
  readonly inUse: boolean;
  readonly ourProcessRunning: boolean;
  readonly speaksProtocol: boolean;
}): PortOwner {
  if (facts.ourProcessRunning) return 'ours';
  if (!facts.inUse) return 'free';
  return facts.speaksProtocol ? 'compatible' : 'foreign';
}

export function describePortConflict(service: string, host: string, port: number): string {
  return (
    `port ${host}:${port} for ${service} is taken by another program that does not answer as ${service}; ` +
    `stop it, or choose other ports (see \`vocflow stack up --help\`)`
  );
}
