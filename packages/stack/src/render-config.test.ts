import { describe, expect, it } from 'vitest';
import {
  renderKafkaLog4jProperties,
  renderKafkaServerProperties,
  renderProperties,
  renderS3ProxyProperties,
} from './render-config.ts';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
}

describe('renderKafkaServerProperties', () => {
  const properties = parse(renderKafkaServerProperties({ port: 19092, controllerPort: 19093, logDir: '/d' }));

  it('runs one KRaft node that is broker and controller on 127.0.0.1', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('log.dirs')).toBe('/d');
  });

  it('uses replication factor 1 everywhere and no initial rebalance delay', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'default.replication.factor',
      'min.insync.replicas',
    ]) {
      expect(properties.get(key), key).toBe('1');
    }
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(properties.get('auto.create.topics.enable')).toBe('false');
  });
});

describe('other configuration files', () => {
  it('sends Kafka logs to the given file', () => {
    expect(parse(renderKafkaLog4jProperties('/logs/kafka.log')).get('log4j.appender.file.File')).toBe(
      '/logs/kafka.log',
    );
  });

  it('runs S3Proxy on the filesystem without authorization', () => {
    const conf = parse(renderS3ProxyProperties({ port: 19000, dataDir: '/s3' }));
    expect(conf.get('s3proxy.endpoint')).toBe('http://127.0.0.1:19000');
    expect(conf.get('s3proxy.authorization')).toBe('none');
    expect(conf.get('jclouds.provider')).toBe('filesystem-nio2');
    expect(conf.get('jclouds.filesystem.basedir')).toBe('/s3');
  });

  it('escapes backslashes in values', () => {
    expect(renderProperties({ 'log.dirs': 'C:\\kafka' })).toBe('log.dirs=C:\\\\kafka\n');
  });
});
