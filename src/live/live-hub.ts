// The live feed's fan-out: each message from the broker is checked once against the camera cache and
// handed to the clients whose scope covers its camera. Messages are handled one at a time, in arrival
// order, even when a cache miss makes one wait for the registry.

import type { Logger } from '../logger.js';
import { visibleTo, type CameraVisibilityCache } from './camera-visibility.js';
import { LiveClient, type SseSink } from './live-client.js';
import { sseText, type LiveMessage } from './live-messages.js';
import type { QueuedMessage } from './live-queue.js';
import type { ViewScope } from '../auth/viewer.js';

export interface LiveHubOptions {
  cameras: CameraVisibilityCache;
  logger: Logger;
  /** Messages a client may have waiting before updates are dropped (and, past that, it is disconnected). */
  queueCapacity?: number;
  pingIntervalMs?: number;
}

function queued(m: LiveMessage, cameraName: string | null): QueuedMessage {
  const text = sseText(m, cameraName);
  if (m.kind === 'alert') return m.type === 'update' ? { text, droppable: true, supersedes: `update:${m.event.id}` } : { text, droppable: false };
  if (m.kind === 'camera') return { text, droppable: false, supersedes: `camera:${m.cameraId}` };
  return { text, droppable: false };
}

export class LiveHub {
  readonly #o: Required<LiveHubOptions>;
  readonly #clients = new Set<LiveClient>();
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;

  constructor(o: LiveHubOptions) {
    this.#o = { queueCapacity: 200, pingIntervalMs: 15_000, ...o };
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  start(): void {
    this.#timer ??= setInterval(() => { for (const c of this.#clients) c.ping(); }, this.#o.pingIntervalMs);
    this.#timer.unref();
  }

  /** A new viewer, paused until resume() (so a replay can go first); call the returned function when its socket closes. */
  connect(scope: ViewScope, sink: SseSink): { client: LiveClient; disconnect: () => void } {
    const client = new LiveClient({
      scope, sink, capacity: this.#o.queueCapacity, paused: true,
      onOverflow: (c) => {
        this.#o.logger.info({ dropped: c.dropped }, 'live client too slow: disconnected (it reconnects and replays)');
        this.#drop(c);
      },
    });
    this.#clients.add(client);
    return { client, disconnect: () => this.#drop(client) };
  }

  /** Resolves once the message was handed to every client in scope. */
  deliver(m: LiveMessage): Promise<void> {
    this.#chain = this.#chain.then(() => this.#fanOut(m)).catch((err: unknown) => {
      this.#o.logger.warn({ err, cameraId: m.cameraId }, 'live message not delivered (camera lookup failed)');
    });
    return this.#chain;
  }

  /** The camera's display name, for replayed messages. */
  async cameraName(cameraId: string): Promise<string | null> {
    return (await this.#o.cameras.get(cameraId))?.name ?? null;
  }

  /** Ends every stream (the HTTP server is closing: open streams would hold it up). */
  disconnectAll(): void {
    for (const c of [...this.#clients]) this.#drop(c);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.disconnectAll();
    await this.#chain;
  }

  async #fanOut(m: LiveMessage): Promise<void> {
    if (this.#clients.size === 0) return;
    const camera = await this.#o.cameras.get(m.cameraId);
    let message: QueuedMessage | null = null;
    for (const c of this.#clients) {
      if (!visibleTo(c.scope, camera)) continue;
      message ??= queued(m, camera?.name ?? null);
      c.send(message);
    }
  }

  #drop(c: LiveClient): void {
    this.#clients.delete(c);
    c.close();
  }
}
