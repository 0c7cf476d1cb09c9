// The MQTT contract: every topic and payload we publish is built here and documented in docs/mqtt.md.

import type { PublicEvent } from '../events/event-types.js';

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface Message {
  topic: string;
  payload: string | Buffer;
  options: PublishOptions;
}

/** `matthan/events` payload. */
export interface EventMessage {
  type: 'new' | 'end';
  event: PublicEvent;
}

export class Topics {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  get status(): string {
    return `${this.prefix}/status`;
  }

  get events(): string {
    return `${this.prefix}/events`;
  }

  cameraMotion(cameraId: string): string {
    return `${this.prefix}/cameras/${cameraId}/motion`;
  }

  /** Retained `online`; the broker publishes the last will `offline` if we vanish. */
  statusMessage(online: boolean): Message {
    return { topic: this.status, payload: online ? 'online' : 'offline', options: { qos: 1, retain: true } };
  }

  eventMessage(type: EventMessage['type'], event: PublicEvent): Message {
    const body: EventMessage = { type, event };
    return { topic: this.events, payload: JSON.stringify(body), options: { qos: 1, retain: false } };
  }

  motionMessage(cameraId: string, on: boolean): Message {
    return { topic: this.cameraMotion(cameraId), payload: on ? 'ON' : 'OFF', options: { qos: 1, retain: true } };
  }
}
