// The live feed of an api node (GET /api/live) and the cache of which cameras a viewer may see,
// which the embedded broker's rules use too. The feed is fed from the broker, not from in-process
// hooks, so it shows what every node's worker published.

import type { CameraRegistry } from '../cameras/camera-registry.js';
import { CameraVisibilityCache, visibilityOf } from '../live/camera-visibility.js';
import { LiveHub } from '../live/live-hub.js';
import { LiveSubscriber } from '../mqtt/live-subscriber.js';
import type { NodeContext } from './node-context.js';

/** Cameras' sharing, reloaded when the registry says one changed (and on a miss, and when old). */
export function cameraVisibility(registry: CameraRegistry): CameraVisibilityCache {
  const cameras = new CameraVisibilityCache({ load: async () => (await registry.list()).map(visibilityOf) });
  registry.onChange(async () => cameras.invalidate());
  return cameras;
}

export async function startLiveFeed(
  ctx: NodeContext, cameras: CameraVisibilityCache, mqtt: { url: string; auth: { username: string; password: string } | undefined },
): Promise<LiveHub> {
  const { config, logger, track } = ctx;
  const live = track(new LiveHub({ cameras, logger: logger.child({ component: 'live' }) }));
  live.start();
  const subscriber = track(new LiveSubscriber({
    url: mqtt.url, auth: mqtt.auth, clientId: config.mqtt.clientId, topicPrefix: config.mqtt.topicPrefix,
    deliver: (m) => live.deliver(m), logger: logger.child({ component: 'live-subscriber' }),
  }));
  await subscriber.start();
  return live;
}
