import { describe, expect, it } from 'vitest';
import { costDelta, parseCostMetrics, perEvent } from './cost-metrics.ts';

const exposition = (fetch: number, writes: number, timeouts: number) =>
  [
    '# HELP vocflow_cost_kafka_requests_total Kafka requests sent, by API',
    '# TYPE vocflow_cost_kafka_requests_total counter',
    `vocflow_cost_kafka_requests_total{api="Fetch",service="enrichment"} ${fetch}`,
    'vocflow_cost_kafka_requests_total{api="Produce",service="enrichment"} 40',
    'vocflow_cost_kafka_requests_total{api="Metadata",service="enrichment"} 3',
    `vocflow_cost_resources_total{type="Timeout",service="enrichment"} ${timeouts}`,
    'vocflow_cost_resources_total{type="TickObject",service="enrichment"} 500',
    'vocflow_cost_redis_commands_total{command="evalsha",service="enrichment"} 20',
    'vocflow_cost_redis_round_trips_total{service="enrichment"} 10',
    `vocflow_cost_socket_writes_total{service="enrichment"} ${writes}`,
    'vocflow_cost_s3_calls_total{command="PutObjectCommand",service="enrichment"} 2',
    'process_cpu_seconds_total{service="enrichment"} 12.5',
  ].join('\n');

describe('fixed-cost metrics', () => {
  it('reads the counters from a Prometheus exposition and ignores everything else', () => {
    expect(parseCostMetrics(exposition(100, 70, 30))).toEqual({
      resources: { Timeout: 30, TickObject: 500 },
      kafkaRequests: { Fetch: 100, Produce: 40, Metadata: 3 },
      redisCommands: { evalsha: 20 },
      redisRoundTrips: 10,
      s3Calls: { PutObjectCommand: 2 },
      socketWrites: 70,
    });
  });

  it('divides what changed over a step by its events, folding rare Kafka APIs into "other"', () => {
    const before = parseCostMetrics(exposition(100, 70, 30));
    const after = parseCostMetrics(
      `${exposition(300, 470, 230)}\nvocflow_cost_kafka_requests_total{api="Heartbeat",service="enrichment"} 4`,
    );
    const delta = costDelta(before, after);
    expect(delta.kafkaRequests).toEqual({ Fetch: 200, Heartbeat: 4 });
    const each = perEvent(delta, 400);
    expect(each.kafkaFetch).toBe(0.5);
    expect(each.kafkaHeartbeat).toBe(0.01);
    expect(each.kafkaOther).toBe(0);
    expect(each.socketWrites).toBe(1);
    expect(each.timers).toBe(0.5);
    expect(each.redisCommands).toBe(0);
    expect(each.promises).toBeNull();
    expect(perEvent({ ...delta, kafkaRequests: { Metadata: 8 } }, 4).kafkaOther).toBe(2);
  });
});
