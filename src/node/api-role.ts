// The api role: the HTTP API (and web app). Any api node can answer any request: everything it
// reads is in the shared store, Redis or DATA_DIR. Live stream figures exist only where the camera
// is watched, so an api node without ingest shows none.

import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../auth/accounts.js';
import type { AuditLog } from '../auth/audit-log.js';
import { EventActionsRepository } from '../db/event-actions.repository.js';
import type { EventsRepository } from '../db/events.repository.js';
import type { OutboxRepository } from '../db/outbox.repository.js';
import { buildApp } from '../http/app.js';
import type { MetricsEndpoint } from '../http/metrics.routes.js';
import type { LiveHub } from '../live/live-hub.js';
import type { MqttPublisher } from '../mqtt/mqtt-publisher.js';
import type { OutboxRelay } from '../mqtt/outbox-relay.js';
import { Topics } from '../mqtt/topics.js';
import type { OverloadGuard } from '../streams/overload-guard.js';
import type { StreamSupervisor } from '../streams/stream-supervisor.js';
import type { NodeContext } from './node-context.js';

export interface ApiDeps {
  accounts: Accounts;
  audit: AuditLog;
  events: EventsRepository;
  outbox: OutboxRepository;
  publisher: MqttPublisher;
  supervisor: StreamSupervisor | null;
  overload: OverloadGuard | null;
  live: LiveHub;
  /** This node's outbox relay, woken when an officer's action is stored (none: the worker nodes' relay polls). */
  relay: Pick<OutboxRelay, 'notify'> | null;
  ffmpegMajor: number;
  metrics: MetricsEndpoint | undefined;
}

/** Builds the app and listens; returns it with the base URL it answers on. */
export async function startApi(ctx: NodeContext, d: ApiDeps): Promise<{ app: FastifyInstance; publicUrl: string }> {
  const { config, logger, db, queue, images, registry, redisProbe, track } = ctx;
  let publicUrl = '';
  const app = buildApp({
    logger,
    accounts: d.accounts,
    audit: d.audit,
    events: d.events,
    snapshots: images,
    get publicUrl() { return publicUrl; },
    live: d.live,
    eventActions: new EventActionsRepository(db.db),
    topics: new Topics(config.mqtt.topicPrefix, config.mqtt.discoveryPrefix),
    onActionStored: () => d.relay?.notify(),
    zones: config.zones,
    timezone: config.alerts.timezone,
    ffmpeg: { path: config.stream.ffmpegPath, major: d.ffmpegMajor },
    cameraStats: () => d.supervisor?.stats() ?? [],
    registry,
    discoveryPort: config.onboarding.discoveryPort,
    readinessChecks: {
      redis: () => redisProbe.ping(),
      mqtt: async () => { if (!d.publisher.connected) throw new Error('not connected'); },
      database: () => db.ping(),
    },
    readinessDetail: async () => ({
      queue: await queue.counts(), outboxPending: await d.outbox.pendingCount(), ...(d.overload ? { overload: d.overload.state() } : {}),
    }),
    metrics: d.metrics,
  });
  track({ close: () => app.close() });
  await app.listen({ host: config.host, port: config.port });
  const port = (app.server.address() as { port: number }).port;
  publicUrl = config.publicUrl ?? localUrl(config.host, port);
  return { app, publicUrl };
}

export function localUrl(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const h = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
