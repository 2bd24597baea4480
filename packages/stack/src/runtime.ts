/** What every runtime (local processes, containers) offers per service, and the shared options. */
import type { StackPaths } from './paths.ts';
import type { ServiceName, StackPorts, StackSettings } from './settings.ts';

export type RuntimeName = 'local' | 'containers';
export type RuntimeChoice = RuntimeName | 'auto';

/**
 * Who runs a service: this stack (`stack`: stopped by `down`), something else that already answered
 * on the port (`external`: reused, never stopped), or nobody.
 */
export type ServiceOwner = 'stack' | 'external' | 'none';

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly address: string;
  readonly ready: boolean;
  readonly owner: ServiceOwner;
  readonly pid?: number;
  readonly containerId?: string;
  readonly detail?: string;
  readonly logFile?: string;
}

export type StartOutcome = 'started' | 'reused' | 'external';
export type StopOutcome = 'stopped' | 'not-running' | 'external';

export interface RuntimeContext {
  readonly paths: StackPaths;
  readonly ports: StackPorts;
  readonly settings: StackSettings;
  /** How long one service may take to become ready. */
  readonly timeoutMs: number;
  readonly kafkaVersion: string;
  readonly s3proxyVersion: string;
  readonly progress: (message: string) => void;
}

export interface StackRuntime {
  readonly name: RuntimeName;
  start(service: ServiceName, context: RuntimeContext): Promise<StartOutcome>;
  stop(service: ServiceName, context: RuntimeContext): Promise<StopOutcome>;
  status(service: ServiceName, context: RuntimeContext): Promise<ServiceStatus>;
}
