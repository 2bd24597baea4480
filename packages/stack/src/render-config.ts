/** Pure renderers for the configuration files of the local Kafka broker and S3Proxy. */

export interface KafkaServerOptions {
  readonly port: number;
  readonly controllerPort: number;
  readonly logDir: string;
  readonly host?: string;
}

/** Java `.properties` values escape backslashes; paths on Windows would need it, harmless elsewhere. */
function propertyValue(value: string | number | boolean): string {
  return String(value).replaceAll('\\', '\\\\');
}

export function renderProperties(entries: Readonly<Record<string, string | number | boolean>>): string {
  return `${Object.entries(entries)
    .map(([key, value]) => `${key}=${propertyValue(value)}`)
    .join('\n')}\n`;
}

/**
 * A single-node KRaft broker + controller. Replication factor 1 everywhere (the defaults of 3 give
 * "coordinator not available"), no initial rebalance delay (consumer groups in tests start at once),
 * topics are created explicitly. Internal topics get fewer partitions than the defaults: a 2-core
 * machine creates 50 offsets partitions slowly on the first group join.
 */
export function renderKafkaServerProperties(options: KafkaServerOptions): string {
  const host = options.host ?? '127.0.0.1';
  return renderProperties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${options.controllerPort}`,
    listeners: `PLAINTEXT://${host}:${options.port},CONTROLLER://${host}:${options.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${options.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': options.logDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 10,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'log.retention.check.interval.ms': 60000,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
  });
}

/** log4j 1.x (reload4j) configuration: everything at INFO into one rolling file, nothing on stdout. */
export function renderKafkaLog4jProperties(logFile: string): string {
  return renderProperties({
    'log4j.rootLogger': 'INFO, file',
    'log4j.appender.file': 'org.apache.log4j.RollingFileAppender',
    'log4j.appender.file.File': logFile,
    'log4j.appender.file.MaxFileSize': '20MB',
    'log4j.appender.file.MaxBackupIndex': 2,
    'log4j.appender.file.layout': 'org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern': '[%d] %p %m (%c)%n',
    'log4j.logger.kafka': 'INFO',
    'log4j.logger.org.apache.kafka': 'INFO',
    'log4j.logger.kafka.request.logger': 'WARN',
    'log4j.logger.state.change.logger': 'WARN',
    'log4j.logger.kafka.log.LogCleaner': 'WARN',
  });
}

export interface S3ProxyOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly host?: string;
}

/** S3Proxy over the local filesystem (data survives restarts), no request signing checks. */
export function renderS3ProxyProperties(options: S3ProxyOptions): string {
  const host = options.host ?? '127.0.0.1';
  return renderProperties({
    's3proxy.endpoint': `http://${host}:${options.port}`,
    's3proxy.authorization': 'none',
    's3proxy.ignore-unknown-headers': true,
    'jclouds.provider': 'filesystem-nio2',
    'jclouds.filesystem.basedir': options.dataDir,
    'jclouds.identity': 'local-identity',
    'jclouds.credential': 'local-credential',
  });
}
