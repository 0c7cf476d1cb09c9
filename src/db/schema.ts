// Table types for kysely. Times are epoch milliseconds (INTEGER).

import type { Generated } from 'kysely';

export interface EventsTable {
  id: string;
  camera_id: string;
  zone: string;
  household_id: string | null;
  type: string;
  started_at: number;
  ended_at: number | null;
  score: number;
  /** JSON of the bounding box in analysis-frame pixels. */
  box: string | null;
  /** Paths under DATA_DIR/snapshots. */
  snapshot_path: string | null;
  snapshot_sha256: string | null;
  thumbnail_path: string | null;
  incident_id: string | null;
  /** The alert decision taken when the event was stored (alerted, cooldown, not-shared, disarmed, none). */
  alert: string;
  created_at: number;
  updated_at: number;
  /** 1 once an export referenced the event: retention never deletes it (nor its images). */
  legal_hold: Generated<number>;
}

/** Transactional outbox: messages are stored with the event row and published by the relay after. */
export interface OutboxTable {
  id: Generated<number>;
  /** Makes a retried job's messages the same rows, so a retry never publishes twice. */
  dedupe_key: string;
  topic: string;
  payload: Buffer;
  /** When set, the payload is this stored snapshot file, read at publish time. */
  payload_file: string | null;
  qos: number;
  retain: number;
  /** Not published before this time (the motion OFF delay). */
  deliver_after: number;
  created_at: number;
  published_at: number | null;
  /**
   * Several messages of one transition, published in order (db/outbox-bundle.ts); the row's own
   * topic/payload columns are then only a label (first topic, empty payload). Null: a single message.
   */
  bundle: Buffer | null;
}

/** The camera registry. Credentials are AES-GCM ciphertext (credential-cipher.ts); rtsp_url never holds any. */
export interface CamerasTable {
  id: string;
  name: string;
  kind: string;
  household_id: string | null;
  zone: string;
  lat: number | null;
  lon: number | null;
  address: string | null;
  onvif_host: string | null;
  onvif_port: number | null;
  credentials: string | null;
  rtsp_url: string | null;
  profile_token: string | null;
  stream_width: number | null;
  stream_height: number | null;
  snapshot_uri: string | null;
  status: string;
  status_detail: string | null;
  share_with_officers: number;
  police_may_view: number;
  /** Per-camera motion settings as JSON (mode, sensitivity, masks); null = the defaults. */
  motion: string | null;
  /** `config` rows are rewritten from the configuration file at every start; `api` rows are the registry's own. */
  source: string;
  /** Per-camera retention overrides in days; null = the configured default. */
  snapshot_retention_days: number | null;
  event_retention_days: number | null;
  created_at: number;
  updated_at: number;
}

/** Accounts. `password_hash` is scrypt (password-hash.ts); `household_id` only for the household role. */
export interface UsersTable {
  id: string;
  username: string;
  role: string;
  household_id: string | null;
  password_hash: string;
  disabled: Generated<number>;
  /** Consecutive failed sign-ins; reaching the limit sets locked_until. */
  failed_logins: Generated<number>;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

/** Bearer tokens by their SHA-256; removed on logout, password change and disable. */
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** Append-only, hash-chained: hash = sha256(prev_hash + the entry's canonical JSON) (audit-chain.ts). */
export interface AuditLogTable {
  seq: number;
  at: number;
  user_id: string | null;
  username: string | null;
  role: string | null;
  ip: string | null;
  method: string;
  /** The route pattern (e.g. /api/events/:id), not the raw URL. */
  route: string;
  /** What was done: e.g. events.search, events.export, auth.login. */
  action: string;
  /** JSON of the query and path parameters (the filter), without the reason. */
  filter: string;
  reason: string | null;
  status: number;
  /** ok | refused | failed */
  outcome: string;
  result_count: number | null;
  prev_hash: string;
  hash: string;
}

/** An officer's or admin's acknowledgement or escalation of an event (append-only). */
export interface EventActionsTable {
  id: string;
  event_id: string;
  /** ack | escalate */
  action: string;
  username: string;
  note: string | null;
  at: number;
}

export interface DatabaseSchema {
  events: EventsTable;
  outbox: OutboxTable;
  cameras: CamerasTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  event_actions: EventActionsTable;
}
