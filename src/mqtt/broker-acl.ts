// Who may receive which of our messages from the embedded broker. Pure: the broker (embedded-broker.ts)
// asks once per message and client. The rules are those of the live feed and the history: a household
// hears only its own cameras and its own alerts, officers the cameras shared with them and the zone
// alerts, admins everything; police query history with a reason and get no live messages. Without an
// account a client hears `<prefix>/status` only (or everything where `mqtt.anonymous: all` says so,
// for a closed LAN where that is acceptable). Topics outside our prefixes are not ours to police.

import type { Role, ViewScope } from '../auth/viewer.js';
import type { CameraVisibility } from '../live/camera-visibility.js';
import { visibleTo } from '../live/camera-visibility.js';

export type AnonymousAccess = 'status' | 'all';

export type BrokerPrincipal =
  | { kind: 'service' }
  | { kind: 'anonymous' }
  | { kind: 'account'; username: string; role: Role; scope: ViewScope | null };

export interface BrokerAclContext {
  prefix: string;
  discoveryPrefix: string;
  anonymous: AnonymousAccess;
  /** Synchronous: the broker cannot wait per message (camera-visibility.ts `peek`). */
  camera: (id: string) => CameraVisibility | undefined;
}

/** What a topic (and, for `events`, its payload) is about. */
export type TopicSubject =
  | { kind: 'status' }
  | { kind: 'camera'; cameraId: string }
  | { kind: 'zone' }
  | { kind: 'household'; householdId: string }
  | { kind: 'unknown' }
  | { kind: 'foreign' };

function cameraIdInJson(payload: Buffer | string): string | null {
  try {
    const m = JSON.parse(payload.toString()) as { event?: { cameraId?: unknown }; cameraId?: unknown };
    const id = m.event?.cameraId ?? m.cameraId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export function topicSubject(ctx: Pick<BrokerAclContext, 'prefix' | 'discoveryPrefix'>, topic: string, payload: Buffer | string): TopicSubject {
  const { prefix, discoveryPrefix } = ctx;
  if (topic === `${prefix}/status`) return { kind: 'status' };
  if (topic === `${prefix}/events` || topic === `${prefix}/events/actions`) {
    const id = cameraIdInJson(payload);
    return id === null ? { kind: 'unknown' } : { kind: 'camera', cameraId: id };
  }
  if (topic.startsWith(`${prefix}/`)) {
    const [kind, id, ...rest] = topic.slice(prefix.length + 1).split('/');
    if (id === undefined || id === '' || rest.length !== 1) return { kind: 'unknown' };
    if (kind === 'cameras') return { kind: 'camera', cameraId: id };
    if (kind === 'zones' && rest[0] === 'alerts') return { kind: 'zone' };
    if (kind === 'households' && rest[0] === 'alerts') return { kind: 'household', householdId: id };
    return { kind: 'unknown' };
  }
  if (topic.startsWith(`${discoveryPrefix}/`)) {
    // <discovery>/<component>/matthan_<prefix>_<cameraId>/<object>/config (topics.ts homeAssistantMessages)
    const node = topic.split('/').at(-3) ?? '';
    const stem = `matthan_${prefix.replaceAll('/', '_')}_`;
    return node.startsWith(stem) && node.length > stem.length ? { kind: 'camera', cameraId: node.slice(stem.length) } : { kind: 'foreign' };
  }
  return { kind: 'foreign' };
}

/** May this client receive this message? */
export function mayReceive(p: BrokerPrincipal, subject: TopicSubject, ctx: Pick<BrokerAclContext, 'anonymous' | 'camera'>): boolean {
  if (p.kind === 'service' || subject.kind === 'foreign' || subject.kind === 'status') return true;
  if (p.kind === 'anonymous') return ctx.anonymous === 'all';
  const scope = p.scope;
  if (scope === null) return false; // police, and any role without a live scope
  if (scope.kind === 'all') return true;
  switch (subject.kind) {
    case 'camera':
      return visibleTo(scope, ctx.camera(subject.cameraId));
    case 'zone':
      return scope.kind === 'shared-with-officers';
    case 'household':
      return scope.kind === 'household' && scope.householdId === subject.householdId;
    case 'unknown':
      return false;
  }
}
