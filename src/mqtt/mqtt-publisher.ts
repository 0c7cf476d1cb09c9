// The MQTT client that publishes alerts. QoS 1, a retained `online` status with an `offline` last
// will, and publishes that fail (so the job is retried) instead of waiting forever while the broker is away.

import mqtt, { type MqttClient } from 'mqtt';
import { MatThanError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Message, Topics } from './topics.js';

export interface MqttPublisherOptions {
  url: string;
  clientId: string;
  topics: Topics;
  logger: Logger;
  publishTimeoutMs?: number;
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
      clientId: `${clientId}-${process.pid}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: will.options.qos, retain: will.options.retain },
    });
    this.#client = client;
    client.on('connect', () => {
      logger.info('mqtt connected');
      const online = topics.statusMessage(true);
      client.publish(online.topic, online.payload, online.options);
    });
    client.on('offline', () => logger.warn('mqtt offline; reconnecting'));
    client.on('error', (err) => logger.warn({ err }, 'mqtt error'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new MatThanError('MQTT_NOT_CONNECTED', `no answer from ${redact(url)}`)), 10_000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async publish(m: Message): Promise<void> {
    const client = this.#client;
    if (!client?.connected) throw new MatThanError('MQTT_NOT_CONNECTED');
    const timeoutMs = this.#o.publishTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MatThanError('MQTT_PUBLISH_TIMEOUT', m.topic)), timeoutMs);
    });
    try {
      await Promise.race([client.publishAsync(m.topic, m.payload, m.options), timeout]);
    } finally {
      clearTimeout(timer);
    }
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
    await client.endAsync();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
