// Feeds the live feed (GET /api/live) from the broker: every api node subscribes to the service's own
// events, camera availability and event actions, so a viewer connected to any node sees what any node's
// worker published. Own client id, clean session: a node that was away has nothing to catch up on here
// (viewers replay from the store with Last-Event-ID). Retained availability is skipped: it is state,
// not news (the camera list has it).

import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { liveMessageFrom, liveTopics, type LiveMessage } from '../live/live-messages.js';
import type { Logger } from '../logger.js';

export interface LiveSubscriberOptions {
  url: string;
  auth?: { username: string; password: string };
  /** The service's client id; this subscriber uses `<clientId>-live-<random>`. */
  clientId: string;
  topicPrefix: string;
  deliver: (m: LiveMessage) => Promise<void>;
  logger: Logger;
}

export class LiveSubscriber {
  readonly #o: LiveSubscriberOptions;
  #client: MqttClient | null = null;

  constructor(o: LiveSubscriberOptions) {
    this.#o = o;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Connects in the background (mqtt.js retries); resolves once subscribed the first time, or after 10 s regardless. */
  async start(): Promise<void> {
    const { url, auth, topicPrefix, logger } = this.#o;
    const topics = liveTopics(topicPrefix);
    const client = mqtt.connect(url, {
      clientId: `${this.#o.clientId}-live-${randomBytes(4).toString('hex')}`,
      username: auth?.username, password: auth?.password, clean: true, reconnectPeriod: 1000, connectTimeout: 5000,
    });
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) return;
      const m = liveMessageFrom(topicPrefix, topic, payload);
      if (m === null) logger.debug({ topic }, 'ignored a message the live feed cannot read');
      else void this.#o.deliver(m);
    });
    client.on('error', (err) => logger.warn({ err: err.message }, 'live subscriber: mqtt error'));
    const subscribed = new Promise<void>((resolve) => {
      // A clean session forgets subscriptions: subscribe on every connect.
      client.on('connect', () => {
        client.subscribeAsync([topics.events, topics.availability, topics.actions], { qos: 1 })
          .then(() => resolve(), (err: unknown) => logger.warn({ err }, 'live subscriber: subscribe failed'));
      });
    });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([subscribed, timeout]);
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.endAsync(true);
  }
}
