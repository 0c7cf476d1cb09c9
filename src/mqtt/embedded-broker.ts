// Zero-config default: an in-process MQTT broker (aedes) that any MQTT client can use.

import net from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../logger.js';

export class EmbeddedBroker {
  readonly #host: string;
  readonly #port: number;
  readonly #log: Logger;
  #broker: Aedes | null = null;
  #server: net.Server | null = null;

  constructor(host: string, port: number, logger: Logger) {
    this.#host = host;
    this.#port = port;
    this.#log = logger.child({ component: 'embedded-broker' });
  }

  /** The URL clients should use (resolves the real port when 0 was asked for). */
  get url(): string {
    const addr = this.#server?.address();
    const port = addr && typeof addr === 'object' ? addr.port : this.#port;
    const host = this.#host === '0.0.0.0' || this.#host === '::' ? '127.0.0.1' : this.#host;
    return `mqtt://${host}:${port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    broker.on('clientError', (client, err) => this.#log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    const server = net.createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => resolve());
    });
    this.#broker = broker;
    this.#server = server;
    this.#log.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  async close(): Promise<void> {
    const { server, broker } = { server: this.#server, broker: this.#broker };
    this.#server = null;
    this.#broker = null;
    // Broker first: it disconnects the clients, which lets the server finish closing.
    if (broker) await new Promise<void>((resolve) => { broker.close(() => resolve()); });
    if (server) await new Promise<void>((resolve) => { server.close(() => resolve()); });
  }
}
