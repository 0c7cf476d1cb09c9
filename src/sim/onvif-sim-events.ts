// The ONVIF simulator's event service: PullPoint subscriptions with scripted motion notifications.
// Behaves like the cameras that are hardest on a client: PullMessages does NOT extend the
// subscription (as on Axis; only Renew does), a subscription it does not know is a SOAP fault, and
// on request it answers PullMessages at once ignoring Timeout (instantPull) or refuses to create
// subscriptions (subscriptionFault). Plain strings, no SOAP library, like the rest of the simulator.

export type SimMotionTopic = 'VideoSource/MotionAlarm' | 'RuleEngine/CellMotionDetector/Motion' | 'RuleEngine/MotionRegionDetector/Motion';
export interface SimMotionOptions { topic?: SimMotionTopic; valueStyle?: 'bool' | 'int' }
export type SimEventOperation = 'CreatePullPointSubscription' | 'PullMessages' | 'Renew' | 'Unsubscribe';
export interface SimEventFaults { instantPull: boolean; subscriptionFault: boolean }
export type SimEventReply = { body: string } | { status: number; code: string; subcode: string; reason: string };

/** tev, wsnt, wsa and tns1 must be declared by the envelope the reply goes into. */
export const EVENT_NAMESPACES = 'xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" ' +
  'xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:tns1="http://www.onvif.org/ver10/topics"';
export const SUBSCRIPTION_PATH = '/onvif/events/subscription/';

const DEFAULT_TERMINATION_SEC = 60;
const MAX_PULL_TIMEOUT_SEC = 120;
const MAX_QUEUE = 1000;
/** Source and state item per topic, as cameras of each kind send them. */
const TOPIC_ITEMS: Record<SimMotionTopic, { source: Array<[string, string]>; state: string }> = {
  'VideoSource/MotionAlarm': { source: [['Source', 'vs0']], state: 'State' },
  'RuleEngine/CellMotionDetector/Motion': {
    source: [['VideoSourceConfigurationToken', 'vsc'], ['VideoAnalyticsConfigurationToken', 'vac'], ['Rule', 'MyMotionDetectorRule']], state: 'IsMotion',
  },
  'RuleEngine/MotionRegionDetector/Motion': {
    source: [['VideoSourceConfigurationToken', 'vsc'], ['VideoAnalyticsConfigurationToken', 'vac'], ['Rule', 'MyRegionRule']], state: 'State',
  },
};

interface Subscription { expiresAt: number; queue: string[]; wake: Set<() => void> }

const tag = (name: string, ...children: string[]) => `<${name}>${children.join('')}</${name.split(' ')[0]}>`;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const attr = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const item = ([name, value]: [string, string]) => `<tt:SimpleItem Name="${attr(name)}" Value="${attr(value)}"/>`;

/** Seconds from an xs:duration (PT1M30S) or an absolute xs:dateTime; undefined when unreadable. */
function seconds(text: string | undefined, cameraNowMs: number): number | undefined {
  if (!text) return undefined;
  const d = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (d && text.trim() !== 'P' && text.trim() !== 'PT') return Number(d[1] ?? 0) * 86400 + Number(d[2] ?? 0) * 3600 + Number(d[3] ?? 0) * 60 + Number(d[4] ?? 0);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, (at - cameraNowMs) / 1000) : undefined;
}

export class SimEventService {
  readonly counts: Record<SimEventOperation, number> = { CreatePullPointSubscription: 0, PullMessages: 0, Renew: 0, Unsubscribe: 0 };
  readonly #subs = new Map<string, Subscription>();
  #nextId = 1;
  #motion = { active: false, topic: 'VideoSource/MotionAlarm' as SimMotionTopic, valueStyle: 'bool' as 'bool' | 'int' };

  /**
   * @param cameraNow the camera's clock (skewed like the rest of the simulator)
   * @param baseUrl   http://host:port of the simulator
   * @param textOf    the simulator's reader of one element's text by local name
   */
  constructor(private readonly o: { cameraNow: () => number; baseUrl: () => string; maxGrantSec: number; textOf: (xml: string, name: string) => string | undefined }) {}

  /** Live (unexpired) subscriptions. */
  get subscriptions(): number {
    const now = this.o.cameraNow();
    return [...this.#subs.values()].filter((s) => s.expiresAt > now).length;
  }

  setMotion(active: boolean, opts: SimMotionOptions = {}): void {
    this.#motion = { active, topic: opts.topic ?? this.#motion.topic, valueStyle: opts.valueStyle ?? this.#motion.valueStyle };
    for (const sub of this.#subs.values()) this.#enqueue(sub, this.#message('Changed'));
  }

  /** Forgets every subscription (a camera reboot): pending and later pulls on them fault. */
  dropSubscriptions(): void {
    const subs = [...this.#subs.values()];
    this.#subs.clear();
    for (const sub of subs) for (const wake of sub.wake) wake();
  }

  close(): void { this.dropSubscriptions(); }

  /** Answers an event operation; null when `op` is not one. `closed` fires when the client goes away. */
  async handle(op: string, url: string, body: string, faults: SimEventFaults, closed: (listener: () => void) => void): Promise<SimEventReply | null> {
    if (!(op in this.counts)) return null;
    this.counts[op as SimEventOperation]++;
    if (op === 'CreatePullPointSubscription') return this.#create(body, faults);
    const id = url.startsWith(SUBSCRIPTION_PATH) ? url.slice(SUBSCRIPTION_PATH.length) : '';
    const sub = this.#live(id);
    if (!sub) return { status: 400, code: 'env:Sender', subcode: 'wsrf-rw:ResourceUnknownFault', reason: 'Unknown or expired subscription' };
    if (op === 'Unsubscribe') {
      this.#subs.delete(id);
      for (const wake of sub.wake) wake();
      return { body: '<wsnt:UnsubscribeResponse/>' };
    }
    if (op === 'Renew') {
      sub.expiresAt = this.o.cameraNow() + this.#grant(this.o.textOf(body, 'TerminationTime')) * 1000;
      return { body: tag('wsnt:RenewResponse', this.#times(sub)) };
    }
    return this.#pull(id, sub, body, faults, closed);
  }

  #create(body: string, faults: SimEventFaults): SimEventReply {
    if (faults.subscriptionFault) return { status: 500, code: 'env:Receiver', subcode: 'wsntw:SubscribeCreationFailedFault', reason: 'Simulated subscription failure' };
    const now = this.o.cameraNow();
    for (const [old, sub] of this.#subs) if (sub.expiresAt <= now) this.#subs.delete(old); // expired ones pile up otherwise
    const id = String(this.#nextId++);
    const sub: Subscription = { expiresAt: this.o.cameraNow() + this.#grant(this.o.textOf(body, 'InitialTerminationTime')) * 1000, queue: [], wake: new Set() };
    this.#subs.set(id, sub);
    // Cameras open a subscription with the current state of every property (Initialized).
    sub.queue.push(this.#message('Initialized'));
    const ref = tag('tev:SubscriptionReference', tag('wsa:Address', `${this.o.baseUrl()}${SUBSCRIPTION_PATH}${id}`));
    return { body: tag('tev:CreatePullPointSubscriptionResponse', ref, this.#times(sub)) };
  }

  async #pull(id: string, sub: Subscription, body: string, faults: SimEventFaults, closed: (listener: () => void) => void): Promise<SimEventReply> {
    const timeoutSec = Math.min(MAX_PULL_TIMEOUT_SEC, seconds(this.o.textOf(body, 'Timeout'), this.o.cameraNow()) ?? DEFAULT_TERMINATION_SEC);
    const limit = Math.max(1, Math.min(MAX_QUEUE, Number(this.o.textOf(body, 'MessageLimit')) || 1));
    if (sub.queue.length === 0 && !faults.instantPull) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          sub.wake.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutSec * 1000);
        sub.wake.add(done);
        closed(done);
      });
    }
    if (this.#subs.get(id) !== sub) return { status: 400, code: 'env:Sender', subcode: 'wsrf-rw:ResourceUnknownFault', reason: 'Subscription was terminated' };
    const messages = sub.queue.splice(0, limit);
    return { body: tag('tev:PullMessagesResponse', this.#times(sub, 'tev'), ...messages) };
  }

  #live(id: string): Subscription | undefined {
    const sub = this.#subs.get(id);
    if (sub && sub.expiresAt <= this.o.cameraNow()) this.#subs.delete(id);
    return this.#subs.get(id);
  }

  #grant(requested: string | undefined): number {
    const sec = seconds(requested, this.o.cameraNow()) ?? DEFAULT_TERMINATION_SEC;
    return Math.max(1, Math.min(this.o.maxGrantSec, sec));
  }

  #times(sub: Subscription, prefix = 'wsnt'): string {
    return tag(`${prefix}:CurrentTime`, iso(this.o.cameraNow())) + tag(`${prefix}:TerminationTime`, iso(sub.expiresAt));
  }

  #enqueue(sub: Subscription, message: string): void {
    sub.queue.push(message);
    if (sub.queue.length > MAX_QUEUE) sub.queue.shift();
    for (const wake of sub.wake) wake();
  }

  #message(operation: 'Initialized' | 'Changed'): string {
    const { active, topic, valueStyle } = this.#motion;
    const items = TOPIC_ITEMS[topic];
    const value = valueStyle === 'int' ? (active ? '1' : '0') : String(active);
    const message = tag(`tt:Message UtcTime="${iso(this.o.cameraNow())}" PropertyOperation="${operation}"`,
      tag('tt:Source', ...items.source.map(item)), tag('tt:Data', item([items.state, value])));
    return tag('wsnt:NotificationMessage',
      tag('wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"', `tns1:${topic}`), tag('wsnt:Message', message));
  }
}
