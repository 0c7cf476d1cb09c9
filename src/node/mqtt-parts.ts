// The MQTT side of a node: the publisher, the outbox relay (worker role: it publishes what the
// worker stored) and the Home Assistant announcements of streaming cameras (api role, or `all`).

import type { CameraConfig } from '../config.js';
import { cameraRef } from '../events/camera-events.js';
import { MqttPublisher } from '../mqtt/mqtt-publisher.js';
import { OutboxRelay } from '../mqtt/outbox-relay.js';
import { Topics } from '../mqtt/topics.js';
import type { NodeContext } from './node-context.js';

export interface MqttParts {
  publisher: MqttPublisher;
  relay: OutboxRelay | null;
  /** Records a registry change; a streaming camera's Home Assistant configs are (re)published. */
  announce(id: string, camera: CameraConfig | null): void;
}

export async function startMqtt(
  ctx: NodeContext, mqtt: { url: string; auth?: { username: string; password: string } }, withRelay: boolean,
): Promise<MqttParts> {
  const { config, logger, track, db, images } = ctx;
  const topics = new Topics(config.mqtt.topicPrefix, config.mqtt.discoveryPrefix);
  // Cameras currently streaming, as the registry announced them: their Home Assistant configs are repeated on reconnect.
  const live = new Map<string, CameraConfig>();
  const haMessages = (c: CameraConfig) => (config.mqtt.homeAssistant ? topics.homeAssistantMessages(cameraRef(c)) : []);
  const announcements = () => [...live.values()].flatMap(haMessages);
  let relay: OutboxRelay | null = null;
  const publisher = track(new MqttPublisher({
    url: mqtt.url, auth: mqtt.auth, clientId: config.mqtt.clientId, topics, announcements, logger: logger.child({ component: 'mqtt' }),
    onReconnect: (brokeAt) => void relay?.resendAfterReconnect(brokeAt).catch((err: unknown) => logger.warn({ err }, 'could not queue the re-send')),
  }));
  await publisher.start();
  if (withRelay) {
    relay = track(new OutboxRelay({ outbox: db.relayOutbox(), publisher, readFile: (p) => images.read(p), logger: logger.child({ component: 'outbox-relay' }), metrics: ctx.metrics }));
    relay.start();
  }
  const announce = (id: string, camera: CameraConfig | null) => {
    if (!camera) {
      live.delete(id);
      return;
    }
    live.set(id, camera);
    for (const m of haMessages(camera)) {
      publisher.publish(m).catch((err: unknown) => logger.warn({ cameraId: id, err: (err as Error).message }, 'home assistant config not published'));
    }
  };
  return { publisher, relay, announce };
}
