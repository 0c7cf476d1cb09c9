// What the live feed (GET /api/live) carries, read from the service's own MQTT messages, and how each
// is written as a Server-Sent Event. Pure: no sockets, no broker.

import type { PublicEvent } from '../events/event-types.js';
import { EVENT_ACTIONS, Topics, type ActionMessage, type EventMessage, type EventMessageType } from '../mqtt/topics.js';

/** One message for the fan-out: the camera decides who may see it. */
export type LiveMessage =
  | { kind: 'alert'; cameraId: string; type: EventMessageType; event: PublicEvent }
  | { kind: 'camera'; cameraId: string; availability: 'online' | 'offline' }
  | { kind: 'action'; cameraId: string; action: ActionMessage };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TYPES: ReadonlySet<string> = new Set(['new', 'update', 'end']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return null;
  }
}

/** The topics the live feed reads, under the service's prefix (the same names topics.ts builds). */
export function liveTopics(prefix: string): { events: string; availability: string; actions: string } {
  const t = new Topics(prefix);
  return { events: t.events, availability: t.camera('+', 'availability'), actions: t.eventActions };
}

/** An MQTT message as a LiveMessage, or null when it is not one of ours (or malformed: a foreign publisher on an external broker). */
export function liveMessageFrom(prefix: string, topic: string, payload: Buffer | string): LiveMessage | null {
  if (topic === `${prefix}/events`) {
    const m = parseJson(payload);
    if (!isObject(m) || !TYPES.has(String(m.type)) || !isObject(m.event)) return null;
    const e = m.event;
    if (typeof e.id !== 'string' || !UUID.test(e.id) || typeof e.cameraId !== 'string') return null;
    return { kind: 'alert', cameraId: e.cameraId, type: m.type as EventMessageType, event: e as unknown as PublicEvent };
  }
  if (topic === `${prefix}/events/actions`) {
    const a = parseJson(payload);
    if (!isObject(a) || typeof a.eventId !== 'string' || !UUID.test(a.eventId) || typeof a.cameraId !== 'string') return null;
    if (!(EVENT_ACTIONS as readonly unknown[]).includes(a.action)) return null;
    return { kind: 'action', cameraId: a.cameraId, action: a as unknown as ActionMessage };
  }
  const cam = topic.startsWith(`${prefix}/cameras/`) && topic.endsWith('/availability')
    ? topic.slice(`${prefix}/cameras/`.length, -'/availability'.length) : null;
  const state = payload.toString();
  if (cam === null || cam.includes('/') || cam === '' || (state !== 'online' && state !== 'offline')) return null;
  return { kind: 'camera', cameraId: cam, availability: state };
}

/** The SSE text of a message; `cameraName` (from the registry) is added to alerts. */
export function sseText(m: LiveMessage, cameraName: string | null): string {
  if (m.kind === 'alert') {
    const data: EventMessage & { cameraName: string | null } = { type: m.type, event: m.event, cameraName };
    return `event: alert\nid: ${m.event.id}:${m.type}\ndata: ${JSON.stringify(data)}\n\n`;
  }
  if (m.kind === 'camera') return `event: camera\ndata: ${JSON.stringify({ cameraId: m.cameraId, availability: m.availability })}\n\n`;
  const { eventId, action, username, note, at } = m.action;
  return `event: action\ndata: ${JSON.stringify({ eventId, cameraId: m.cameraId, action, username, note, at })}\n\n`;
}

export const SSE_PING = ': ping\n\n';
export const sseRetry = (ms: number) => `retry: ${ms}\n\n`;

/** `Last-Event-ID: <eventId>:<new|update|end>` → the event id to replay after, or null. */
export function lastEventIdFrom(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const [id, type, ...rest] = header.trim().split(':');
  return rest.length === 0 && id !== undefined && UUID.test(id) && type !== undefined && TYPES.has(type) ? id : null;
}
