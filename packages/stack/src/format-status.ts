import type { StackStatus } from './stack.ts';

/** A small table for `vocflow stack status`: service, readiness, address, who runs it. */
export function formatStatus(status: StackStatus): string {
  const rows = status.services.map((service) => {
    const owner =
      service.owner === 'stack'
        ? service.pid !== undefined
          ? `started by the stack (pid ${service.pid})`
          : service.containerId !== undefined
            ? `started by the stack (container ${service.containerId})`
            : 'started by the stack'
        : service.owner === 'external'
          ? 'not ours (reused, never stopped)'
          : service.logFile !== undefined
            ? `not running (log: ${service.logFile})`
            : 'not running';
    return [service.name, service.ready ? 'ready' : 'not ready', service.address, owner];
  });
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const lines = rows.map((row) =>
    row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  '),
  );
  return [`runtime: ${status.runtime}`, ...lines].join('\n');
}
