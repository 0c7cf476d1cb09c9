// From configuration to the metrics object and its HTTP endpoint (main.ts wires both).

import os from 'node:os';
import type { Config } from '../config.js';
import type { MetricsEndpoint } from '../http/metrics.routes.js';
import type { Logger } from '../logger.js';
import { ServiceMetrics } from './service-metrics.js';

/** The `node` label: the configured node id, else the host name. */
export function nodeName(config: Pick<Config, 'nodeId'>): string {
  return config.nodeId ?? os.hostname();
}

export function serviceMetrics(config: Pick<Config, 'nodeId' | 'metrics'>): ServiceMetrics {
  return new ServiceMetrics({ node: nodeName(config), cacheMs: config.metrics.cacheMs });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The /metrics endpoint when enabled; an open one on a non-loopback address is allowed, but said at start. */
export function metricsEndpoint(config: Pick<Config, 'metrics' | 'host'>, metrics: ServiceMetrics, logger: Logger): MetricsEndpoint | undefined {
  if (!config.metrics.enabled) return undefined;
  if (config.metrics.token === null && !LOOPBACK.has(config.host)) {
    logger.warn({ host: config.host }, '/metrics has no token: anyone who reaches this port can read camera ids and counts (set MATTHAN_METRICS_TOKEN)');
  }
  return { token: config.metrics.token, contentType: metrics.contentType, text: () => metrics.text() };
}
