// The MQTT contract: every topic and payload we publish is built here and documented in docs/mqtt.md.

import type { CameraRef, PublicEvent } from '../events/event-types.js';

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface Message {
  topic: string;
  payload: string | Buffer;
  options: PublishOptions;
  /** The payload is this stored snapshot (path under the snapshot store), read when it is sent. */
  file?: string;
}

export type EventMessageType = 'new' | 'update' | 'end';

/** `<prefix>/events` payload. */
export interface EventMessage {
  type: EventMessageType;
  event: PublicEvent;
}

/** `<prefix>/zones/<zone>/alerts` and `<prefix>/households/<id>/alerts` payload. */
export interface AlertMessage {
  alertId: string;
  incidentId: string | null;
  camera: { id: string; name: string; zone: string };
  event: PublicEvent;
}

export const EVENT_ACTIONS = ['ack', 'escalate'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/** `<prefix>/events/actions` payload: an officer or admin acknowledged or escalated an event. */
export interface ActionMessage {
  eventId: string;
  cameraId: string;
  action: EventAction;
  username: string;
  note: string | null;
  /** ISO 8601 UTC */
  at: string;
}

const json = (v: unknown) => JSON.stringify(v);

export class Topics {
  readonly prefix: string;
  readonly discoveryPrefix: string;

  constructor(prefix: string, discoveryPrefix = 'homeassistant') {
    this.prefix = prefix;
    this.discoveryPrefix = discoveryPrefix;
  }

  get status(): string {
    return `${this.prefix}/status`;
  }

  get events(): string {
    return `${this.prefix}/events`;
  }

  get eventActions(): string {
    return `${this.prefix}/events/actions`;
  }

  camera(cameraId: string, leaf: 'motion' | 'availability' | 'snapshot'): string {
    return `${this.prefix}/cameras/${cameraId}/${leaf}`;
  }

  zoneAlerts(zone: string): string {
    return `${this.prefix}/zones/${zone}/alerts`;
  }

  householdAlerts(householdId: string): string {
    return `${this.prefix}/households/${householdId}/alerts`;
  }

  /** Retained `online`; the broker publishes the last will `offline` if we vanish. */
  statusMessage(online: boolean): Message {
    return { topic: this.status, payload: online ? 'online' : 'offline', options: { qos: 1, retain: true } };
  }

  eventMessage(type: EventMessageType, event: PublicEvent): Message {
    return { topic: this.events, payload: json({ type, event } satisfies EventMessage), options: { qos: 1, retain: false } };
  }

  /** Not retained: live viewers get it now; the history keeps it (GET /api/events/{id}). */
  actionMessage(a: ActionMessage): Message {
    return { topic: this.eventActions, payload: json(a), options: { qos: 1, retain: false } };
  }

  motionMessage(cameraId: string, on: boolean): Message {
    return { topic: this.camera(cameraId, 'motion'), payload: on ? 'ON' : 'OFF', options: { qos: 1, retain: true } };
  }

  availabilityMessage(cameraId: string, online: boolean): Message {
    return { topic: this.camera(cameraId, 'availability'), payload: online ? 'online' : 'offline', options: { qos: 1, retain: true } };
  }

  /**
   * The latest JPEG, retained, so a dashboard that connects shows a picture at once. It refers to the
   * stored file rather than carrying the bytes, which keeps large blobs out of the outbox.
   */
  snapshotMessage(cameraId: string, file: string): Message {
    return { topic: this.camera(cameraId, 'snapshot'), payload: Buffer.alloc(0), file, options: { qos: 0, retain: true } };
  }

  alertMessage(topic: string, camera: CameraRef, event: PublicEvent, incidentId: string | null): Message {
    const body: AlertMessage = { alertId: event.id, incidentId, camera: { id: camera.id, name: camera.name, zone: camera.zone }, event };
    return { topic, payload: json(body), options: { qos: 1, retain: false } };
  }

  /** Home Assistant MQTT discovery: a motion sensor, a connectivity sensor and a camera per camera, retained. */
  homeAssistantMessages(camera: CameraRef): Message[] {
    const uid = `matthan_${this.prefix.replaceAll('/', '_')}_${camera.id}`;
    const device = { identifiers: [uid], name: camera.name, manufacturer: 'Mắt Thần', model: 'camera', suggested_area: camera.zone };
    const availability = [
      { topic: this.status, payload_available: 'online', payload_not_available: 'offline' },
      { topic: this.camera(camera.id, 'availability'), payload_available: 'online', payload_not_available: 'offline' },
    ];
    const config = (component: string, object: string, body: Record<string, unknown>): Message => ({
      topic: `${this.discoveryPrefix}/${component}/${uid}/${object}/config`,
      payload: json({ ...body, unique_id: `${uid}_${object}`, object_id: `${uid}_${object}`, device }),
      options: { qos: 1, retain: true },
    });
    return [
      config('binary_sensor', 'motion', {
        name: 'Motion', device_class: 'motion', state_topic: this.camera(camera.id, 'motion'),
        payload_on: 'ON', payload_off: 'OFF', availability, availability_mode: 'all',
      }),
      config('binary_sensor', 'connectivity', {
        name: 'Online', device_class: 'connectivity', entity_category: 'diagnostic',
        state_topic: this.camera(camera.id, 'availability'), payload_on: 'online', payload_off: 'offline',
        availability: [availability[0]],
      }),
      config('camera', 'snapshot', { name: 'Snapshot', topic: this.camera(camera.id, 'snapshot'), availability, availability_mode: 'all' }),
    ];
  }
}
