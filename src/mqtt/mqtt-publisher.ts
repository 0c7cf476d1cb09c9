// The MQTT client that publishes alerts: QoS 1 in a persistent session (clean: false) so unacknowledged
// messages are re-sent after a reconnect, a retained `online` status with an `offline` last will, and
// retained announcements (Home Assistant discovery) repeated on every connect.

import mqtt, { type MqttClient } from 'mqtt';
import { MatThanError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Message, Topics } from './topics.js';

export interface MqttPublisherOptions {
  url: string;
  /** Credentials, when the broker wants them (the embedded broker does, for publishing). */
  auth?: { username: string; password: string };
  clientId: string;
  topics: Topics;
  logger: Logger;
  /** Retained messages (re)published on every connect, after the status. */
  announcements?: () => Message[];
  /** Called on each reconnect with the time the previous connection broke. */
  onReconnect?: (brokeAt: number) => void;
  connectTimeoutMs?: number;
}

export class MqttPublisher {
  readonly #o: MqttPublisherOptions;
  #client: MqttClient | null = null;

  constructor(o: MqttPublisherOptions) {
    this.#o = o;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { url, clientId, topics, logger } = this.#o;
    const will = topics.statusMessage(false);
    const client = mqtt.connect(url, {
      clientId,
      username: this.#o.auth?.username,
      password: this.#o.auth?.password,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: will.options.qos, retain: will.options.retain },
    });
    this.#client = client;
    // When an established connection broke; connection attempts that never succeeded do not count.
    let brokeAt: number | null = null;
    let connected = false;
    client.on('close', () => {
      if (connected) brokeAt ??= Date.now();
      connected = false;
    });
    client.on('connect', () => {
      logger.info('mqtt connected');
      connected = true;
      // Alerts are small packets: without this, Nagle's algorithm meets delayed ACKs and adds ~40 ms.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      if (brokeAt !== null) this.#o.onReconnect?.(brokeAt);
      brokeAt = null;
      for (const m of [topics.statusMessage(true), ...(this.#o.announcements?.() ?? [])]) {
        client.publish(m.topic, m.payload, m.options);
      }
    });
    client.on('offline', () => logger.warn('mqtt offline; reconnecting'));
    client.on('error', (err) => logger.warn({ err }, 'mqtt error'));
    const timeoutMs = this.#o.connectTimeoutMs ?? 10_000;
    await Promise.race([
      connectedOnce(client),
      new Promise((_, reject) => setTimeout(() => reject(new MatThanError('MQTT_NOT_CONNECTED', `no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  /** Resolves when the broker acknowledged (QoS 1); while disconnected the message waits in mqtt.js's store. */
  async publish(m: Message): Promise<void> {
    const client = this.#client;
    if (!client) throw new MatThanError('MQTT_NOT_CONNECTED', 'publisher is closed');
    await client.publishAsync(m.topic, m.payload, m.options);
  }

  async waitConnected(): Promise<void> {
    const client = this.#client;
    if (!client || client.connected) return;
    await connectedOnce(client);
  }

  /** Says `offline` ourselves on a clean stop (the will is only for crashes). */
  async close(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = null;
    if (client.connected) {
      const off = this.#o.topics.statusMessage(false);
      await client.publishAsync(off.topic, off.payload, off.options).catch(() => undefined);
    }
    // force: do not wait for in-flight messages a dead broker will never acknowledge; the outbox re-sends them.
    await client.endAsync(true);
  }
}

/** Unlike events.once, does not reject on 'error': mqtt.js reports and retries connection errors itself. */
function connectedOnce(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('connect', () => resolve()));
}
