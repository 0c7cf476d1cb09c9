// Camera-side motion: one ONVIF PullPoint subscription per watched camera, long-polled, renewed at
// half the time the camera granted, resubscribed after a stepped, capped, jittered backoff, with a
// global cap on subscriptions alive at once. The listener hears motion state CHANGES only.
//
// A stopped watch (unwatch, replaced, close) is silent: it does not report a final `false`, the
// caller that stopped it decides what an open motion means.
import { setTimeout as sleepFor } from 'node:timers/promises';
import { MatThanError, isMatThanError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoffDelay } from '../streams/backoff.js';
import { CameraMotionState } from './camera-motion-state.js';
import {
  createPullPoint, getEventsAddress, pullMessages, readCameraClock, renew, unsubscribe,
  type ClockRef, type Notification, type PullPointSubscription, type PullPointTarget, type RequestOptions,
} from './pull-point-client.js';
import { pollGapWait, pullTimeoutSec, renewAt } from './pull-point-timing.js';
import { SubscriptionSlots, type Release } from './subscription-slots.js';

export type CameraEventTarget = PullPointTarget;
export type CameraMotionListener = (active: boolean, at: number) => void;
export type CameraEventState = 'waiting' | 'subscribing' | 'subscribed' | 'backoff';
export interface CameraEventStats { cameraId: string; state: CameraEventState; active: boolean; polls: number; failures: number }

export interface CameraEventWatcherOptions {
  logger: Logger;
  /** Subscriptions alive at once, all cameras together; the rest wait in FIFO order. */
  maxSubscriptions: number;
  /** Never start a PullMessages sooner than this after the previous one started. */
  minPollGapMs: number;
  /** PullMessages Timeout (long poll). */
  pullTimeoutSec: number;
  /** Deadline of every other request; a pull gets pullTimeoutSec on top of it. */
  requestTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Motion reported on and never off is ended by us after this long. */
  maxActiveSec: number;
  /** InitialTerminationTime / Renew asked for; the camera may grant less. */
  subscriptionSec?: number;
  /** PullMessages MessageLimit. */
  messageLimit?: number;
  /** Largest accepted reply. */
  maxReplyBytes?: number;
  now?: () => number;
}

export const CAMERA_EVENT_DEFAULTS = {
  maxSubscriptions: 200,
  minPollGapMs: 1000,
  pullTimeoutSec: 20,
  requestTimeoutMs: 5000,
  backoffInitialMs: 2000,
  backoffMaxMs: 120_000,
  maxActiveSec: 120,
  subscriptionSec: 120,
  messageLimit: 32,
  maxReplyBytes: 256 * 1024,
} as const;

type Settings = Required<Omit<CameraEventWatcherOptions, 'logger'>>;

/** Resolves true after ms, false as soon as the signal aborts. */
const sleep = (ms: number, signal: AbortSignal) => sleepFor(ms, true, { signal }).catch(() => false);

class Watch {
  state: CameraEventState = 'waiting';
  active = false;
  polls = 0;
  failures = 0;
  readonly #abort = new AbortController();
  readonly #motion = new CameraMotionState();
  readonly #clock: ClockRef = { offsetMs: 0 };
  #eventsAddress: string | null = null;
  #stuck: NodeJS.Timeout | null = null;
  #done: Promise<void> = Promise.resolve();

  constructor(readonly cameraId: string, private readonly target: CameraEventTarget, private readonly listener: CameraMotionListener,
    private readonly s: Settings, private readonly slots: SubscriptionSlots, private readonly log: Logger) {}

  start(): void {
    this.#done = this.#run().catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'camera event loop crashed'));
  }

  /** Stops the loop; its finally block unsubscribes (bounded by requestTimeoutMs). */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#disarm();
    await this.#done;
  }

  get #signal(): AbortSignal { return this.#abort.signal; }

  /** `abortable: false` for requests with side effects on the camera (Create) or that run after stop (Unsubscribe). */
  #request(extraMs = 0, abortable = true): RequestOptions {
    return { timeoutMs: this.s.requestTimeoutMs + extraMs, maxReplyBytes: this.s.maxReplyBytes, ...(abortable ? { signal: this.#signal } : {}) };
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#signal.aborted) {
      this.state = 'waiting';
      const release: Release | null = await this.slots.acquire(this.#signal).catch(() => null);
      if (!release) return;
      let sub: PullPointSubscription | null = null;
      let lost = false;
      try {
        this.state = 'subscribing';
        sub = await this.#subscribe();
        this.state = 'subscribed';
        this.log.info({ grantedSec: Math.round(sub.grantedMs / 1000) }, 'camera event subscription created');
        await this.#pullLoop(sub, () => (attempt = 0));
      } catch (err) {
        lost = isMatThanError(err, 'ONVIF_SUBSCRIPTION_LOST');
        if (!this.#signal.aborted) {
          this.failures++;
          attempt++;
          this.log.warn({ err: (err as Error).message, code: (err as MatThanError).code, attempt }, 'camera event subscription failed');
        }
      } finally {
        // A subscription the camera still holds takes one of its few pull points until it expires.
        if (sub && !lost) await this.#unsubscribe(sub);
        release();
      }
      if (this.#signal.aborted) return;
      this.state = 'backoff';
      await sleep(backoffDelay(attempt, { initialMs: this.s.backoffInitialMs, maxMs: this.s.backoffMaxMs }), this.#signal);
    }
  }

  async #subscribe(): Promise<PullPointSubscription> {
    const t = this.target;
    try {
      this.#clock.offsetMs = await readCameraClock(t, this.#request());
    } catch (err) {
      // Some cameras want auth even here; the offset learned from the last reply stays.
      if (!isMatThanError(err, 'ONVIF_FAULT') && !isMatThanError(err, 'ONVIF_UNAUTHORIZED')) throw err;
    }
    const address = this.#eventsAddress ?? await getEventsAddress(t, this.#clock, this.#request());
    this.#eventsAddress = null; // looked up again unless this address works
    // Not abortable: a Create the camera already acted on must come back so stop() can unsubscribe it.
    const sub = await createPullPoint(t, address, this.s.subscriptionSec, this.#clock, this.#request(0, false));
    this.#eventsAddress = address;
    return sub;
  }

  /** Runs until a request fails or the watch stops (both throw). */
  async #pullLoop(sub: PullPointSubscription, onSuccess: () => void): Promise<never> {
    const { now } = this.s;
    let renewDue = renewAt(now(), sub.grantedMs);
    let lastStart: number | null = null;
    for (;;) {
      const wait = pollGapWait(lastStart, now(), this.s.minPollGapMs);
      if (wait > 0 && !(await sleep(wait, this.#signal))) throw new Error('stopped');
      if (now() >= renewDue) {
        const granted = await renew(this.target, sub, this.s.subscriptionSec, this.#clock, this.#request());
        renewDue = renewAt(now(), granted);
        this.log.debug({ grantedSec: Math.round(granted / 1000) }, 'camera event subscription renewed');
      }
      lastStart = now();
      const timeoutSec = pullTimeoutSec(this.s.pullTimeoutSec, lastStart, renewDue);
      const messages = await pullMessages(this.target, sub, timeoutSec, this.s.messageLimit, this.#clock, this.#request(timeoutSec * 1000));
      this.polls++;
      onSuccess();
      for (const n of messages) this.#onNotification(n);
    }
  }

  async #unsubscribe(sub: PullPointSubscription): Promise<void> {
    try {
      await unsubscribe(this.target, sub, this.#clock, this.#request(0, false));
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'camera event unsubscribe failed (it expires on its own)');
    }
  }

  #onNotification(n: Notification): void {
    const kind = this.#motion.apply(n);
    if (kind === null) return;
    if (kind === 'on') this.#arm(); // every ON the camera repeats restarts the stuck-motion clock
    this.#report();
  }

  /** Calls the listener when the camera-level state changed. */
  #report(): void {
    const active = this.#motion.active;
    if (active === this.active) return;
    this.active = active;
    if (!active) this.#disarm();
    try {
      this.listener(active, this.s.now());
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'camera motion listener threw');
    }
  }

  /** "Stop never sent": motion ON with no OFF within maxActiveSec is ended by us. */
  #arm(): void {
    this.#disarm();
    this.#stuck = setTimeout(() => {
      this.#stuck = null;
      if (!this.#motion.active || this.#signal.aborted) return;
      this.log.warn({ maxActiveSec: this.s.maxActiveSec }, 'camera reported motion on but never off; ending it');
      this.#motion.clear();
      this.#report();
    }, this.s.maxActiveSec * 1000);
  }

  #disarm(): void {
    if (this.#stuck) clearTimeout(this.#stuck);
    this.#stuck = null;
  }
}

function validateTarget(cameraId: string, t: CameraEventTarget): void {
  const bad = (why: string) => new MatThanError('VALIDATION_FAILED', `camera events for ${cameraId.slice(0, 64)}: ${why}`);
  if (typeof t.host !== 'string' || !/^[A-Za-z0-9.:-]{1,253}$/.test(t.host)) throw bad('host must be a hostname or an IP address');
  if (!(Number.isInteger(t.port) && t.port > 0 && t.port < 65536)) throw bad('port must be 1-65535');
  if (t.username !== undefined && !/^[\x21-\x7e]{0,128}$/.test(t.username)) throw bad('username must be printable ASCII without spaces');
  if (t.password !== undefined && !/^[\x20-\x7e]{0,128}$/.test(t.password)) throw bad('password must be printable ASCII');
}

function settings(o: CameraEventWatcherOptions): Settings {
  const s: Settings = {
    ...CAMERA_EVENT_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)), now: o.now ?? Date.now,
  } as Settings;
  for (const k of Object.keys(CAMERA_EVENT_DEFAULTS) as Array<keyof typeof CAMERA_EVENT_DEFAULTS>) {
    if (!(typeof s[k] === 'number' && Number.isFinite(s[k]) && s[k] > 0)) throw new MatThanError('VALIDATION_FAILED', `camera events: ${k} must be a positive number`);
  }
  return s;
}

export class CameraEventWatcher {
  readonly #s: Settings;
  readonly #log: Logger;
  readonly #slots: SubscriptionSlots;
  readonly #watches = new Map<string, Watch>();
  readonly #stopping = new Set<Promise<void>>();
  #started = false;
  #closed = false;

  constructor(opts: CameraEventWatcherOptions) {
    this.#s = settings(opts);
    this.#log = opts.logger;
    this.#slots = new SubscriptionSlots(this.#s.maxSubscriptions);
  }

  /** Watches a camera, replacing an existing watch of that id (which stops and unsubscribes in the background). */
  watch(cameraId: string, target: CameraEventTarget, listener: CameraMotionListener): void {
    if (this.#closed) throw new MatThanError('INTERNAL', 'camera event watcher is closed');
    validateTarget(cameraId, target);
    const old = this.#watches.get(cameraId);
    if (old) this.#track(old.stop());
    const w = new Watch(cameraId, { ...target }, listener, this.#s, this.#slots, this.#log.child({ cameraId }));
    this.#watches.set(cameraId, w);
    if (this.#started) w.start();
  }

  /** Stops a camera's loop and unsubscribes (best effort, bounded by requestTimeoutMs). */
  async unwatch(cameraId: string): Promise<void> {
    const w = this.#watches.get(cameraId);
    if (!w) return;
    this.#watches.delete(cameraId);
    await this.#track(w.stop());
  }

  stats(): CameraEventStats[] {
    return [...this.#watches.values()].map((w) => ({ cameraId: w.cameraId, state: w.state, active: w.active, polls: w.polls, failures: w.failures }));
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    for (const w of this.#watches.values()) w.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#watches.values()].map((w) => this.#track(w.stop()));
    this.#watches.clear();
    await Promise.all([...all, ...this.#stopping]);
  }

  #track(p: Promise<void>): Promise<void> {
    this.#stopping.add(p);
    return p.finally(() => this.#stopping.delete(p));
  }
}
