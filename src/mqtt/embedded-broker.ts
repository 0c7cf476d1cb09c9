// Zero-config default: an in-process MQTT broker (aedes). Only the service itself (with a per-run
// secret) may publish under our topic prefixes, so a neighbour's laptop cannot inject fake alerts or
// camera states; and a client receives only what its Mắt Thần account may see (broker-acl.ts), so it
// cannot read a household's snapshots either. Clients sign in with their account's username and
// password (or an API token as the password).

import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { Aedes, type Client } from 'aedes';
import type { Logger } from '../logger.js';
import { mayReceive, topicSubject, type BrokerAclContext, type BrokerPrincipal, type TopicSubject } from './broker-acl.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Topic prefixes only the trusted publisher may publish under (e.g. `matthan`, `homeassistant`). */
  protectedPrefixes: string[];
  /** Credentials of the service's own publisher. */
  publisher: { username: string; password: string };
  /** A client's account from its username and password (throttled like the HTTP login); null: refused. */
  signIn: (username: string, password: string, address: string) => Promise<Exclude<BrokerPrincipal, { kind: 'service' | 'anonymous' }> | null>;
  acl: BrokerAclContext;
}

export class EmbeddedBroker {
  readonly #o: EmbeddedBrokerOptions;
  readonly #log: Logger;
  readonly #trusted = new WeakSet<Client>();
  readonly #principals = new WeakMap<Client, BrokerPrincipal>();
  /** What a message is about, worked out once: the broker asks for every subscriber of the same packet. */
  readonly #subjects = new WeakMap<object, TopicSubject>();
  #broker: Aedes | null = null;
  #server: net.Server | null = null;

  constructor(o: EmbeddedBrokerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'embedded-broker' });
  }

  /** The URL clients should use (resolves the real port when 0 was asked for). */
  get url(): string {
    const addr = this.#server?.address();
    const port = addr && typeof addr === 'object' ? addr.port : this.#o.port;
    const host = this.#o.host === '0.0.0.0' || this.#o.host === '::' ? '127.0.0.1' : this.#o.host;
    return `mqtt://${host}:${port}`;
  }

  async start(): Promise<void> {
    const { publisher, protectedPrefixes } = this.#o;
    const expected = Buffer.from(publisher.password);
    const broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        if (username === undefined) {
          this.#principals.set(client, { kind: 'anonymous' });
          return done(null, true);
        }
        if (username === publisher.username && password !== undefined && password.length === expected.length && timingSafeEqual(password, expected)) {
          this.#trusted.add(client);
          this.#principals.set(client, { kind: 'service' });
          return done(null, true);
        }
        const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? 'mqtt';
        this.#o.signIn(username, password?.toString() ?? '', address).then((account) => {
          if (account) this.#principals.set(client, account);
          else this.#log.info({ clientId: client.id, username }, 'mqtt sign-in refused');
          done(null, account !== null);
        }, (err: unknown) => {
          this.#log.info({ clientId: client.id, username, err: (err as Error).message }, 'mqtt sign-in refused');
          done(null, false);
        });
      },
      authorizeForward: (client, packet) => {
        const principal = this.#principals.get(client) ?? { kind: 'anonymous' };
        return mayReceive(principal, this.#subjectOf(packet), this.#o.acl) ? packet : null;
      },
      authorizePublish: (client, packet, callback) => {
        const guarded = protectedPrefixes.some((p) => packet.topic === p || packet.topic.startsWith(`${p}/`));
        if (client === null || !guarded || this.#trusted.has(client)) return callback(null);
        this.#log.warn({ clientId: client.id, topic: packet.topic }, 'refused a publish under a protected prefix');
        callback(new Error('only Mắt Thần publishes under this prefix'));
      },
    });
    broker.on('clientError', (client, err) => this.#log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
    const server = net.createServer((socket) => {
      socket.setNoDelay(true); // small alert packets go out at once, not after a delayed ACK
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE' ? new Error(`MQTT port ${this.#o.port} is in use (another broker?): set MQTT_URL to use it, or mqtt.embeddedPort`) : err);
      });
      server.listen(this.#o.port, this.#o.host, () => resolve());
    });
    this.#broker = broker;
    this.#server = server;
    this.#log.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  #subjectOf(packet: { topic: string; payload: Buffer | string }): TopicSubject {
    let subject = this.#subjects.get(packet);
    if (subject === undefined) {
      subject = topicSubject(this.#o.acl, packet.topic, packet.payload);
      this.#subjects.set(packet, subject);
    }
    return subject;
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
