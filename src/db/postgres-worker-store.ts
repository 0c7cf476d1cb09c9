// The worker's store on PostgreSQL: each job's body is one transaction on a pooled connection, its steps
// awaited in turn. Commits of this process run one after another, as on SQLite. Several worker
// processes may share the store, so the alert rules' memory (cooldown, incident) is read from the
// stored events under a per-zone transaction lock (alertMemory): two workers deciding on one zone
// follow each other, and the second sees the first one's row. Idempotency is the same as on SQLite:
// `on conflict do nothing` on the event id and the outbox dedupe key.

import type pg from 'pg';
import type { EventRow } from './events.repository.js';
import type { NewOutboxRow } from './outbox.repository.js';
import type { AlertMemory, Step, WorkerStore, WorkerWrites } from './worker-store.js';

const EVENT_COLUMNS = [
  'id', 'camera_id', 'zone', 'household_id', 'type', 'started_at', 'ended_at', 'score', 'box',
  'snapshot_path', 'snapshot_sha256', 'thumbnail_path', 'incident_id', 'alert', 'created_at', 'updated_at',
] as const satisfies readonly (keyof EventRow)[];
const OUTBOX_COLUMNS = ['dedupe_key', 'topic', 'payload', 'payload_file', 'qos', 'retain', 'deliver_after', 'created_at', 'bundle'] as const;

const placeholders = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `$${from + i + 1}`).join(', ');

// Named statements: prepared once per pooled connection.
const Q = {
  insertEvent: { name: 'mt_insert_event', text: `insert into events (${EVENT_COLUMNS.join(', ')}) values (${placeholders(EVENT_COLUMNS.length)}) on conflict (id) do nothing` },
  findEvent: { name: 'mt_find_event', text: 'select * from events where id = $1' },
  updateEvent: {
    name: 'mt_update_event',
    text: `update events set score = $2, box = $3, updated_at = $4, snapshot_path = coalesce($5, snapshot_path),
      snapshot_sha256 = coalesce($6, snapshot_sha256), thumbnail_path = coalesce($7, thumbnail_path) where id = $1`,
  },
  endEvent: { name: 'mt_end_event', text: 'update events set ended_at = $2, score = $3, updated_at = $4 where id = $1' },
  openMotionAfter: {
    name: 'mt_open_motion_after',
    text: "select 1 from events where camera_id = $1 and type = 'motion' and started_at > $2 and ended_at is null limit 1",
  },
  openBefore: {
    name: 'mt_open_before',
    text: 'select * from events where camera_id = $1 and started_at < $2 and ended_at is null order by started_at',
  },
  // Held until commit; hashtext spreads zones over the lock space (a collision only serialises more).
  lockZone: { name: 'mt_lock_zone', text: "select pg_advisory_xact_lock(hashtext('matthan-alerts:' || $1))" },
  lastAlert: {
    name: 'mt_last_alert',
    text: "select max(started_at) as at from events where camera_id = $1 and type = 'motion' and alert in ('alerted', 'household-only') and started_at >= $2",
  },
  lastIncident: {
    name: 'mt_last_incident',
    text: "select incident_id, started_at from events where zone = $1 and alert = 'alerted' and incident_id is not null and started_at >= $2 order by started_at desc limit 1",
  },
  // Same predicate as the partial index outbox_pending_topic.
  cancelPending: { name: 'mt_cancel_pending', text: 'delete from outbox where published_at is null and topic = $1 and payload = $2' },
};

/** One multi-row insert for a job's messages (a handful). */
function outboxInsert(rows: NewOutboxRow[]): { text: string; values: unknown[] } {
  const n = OUTBOX_COLUMNS.length;
  const tuples = rows.map((_, i) => `(${placeholders(n, i * n)})`).join(', ');
  return {
    text: `insert into outbox (${OUTBOX_COLUMNS.join(', ')}) values ${tuples} on conflict (dedupe_key) do nothing`,
    values: rows.flatMap((r) => OUTBOX_COLUMNS.map((c) => r[c] ?? null)),
  };
}

/** Steps yield their query's promise; the driver (#run) hands back the result. */
function writesOn(client: pg.PoolClient): WorkerWrites {
  const query = function* (q: { name?: string; text: string }, values: unknown[]): Step<pg.QueryResult> {
    return (yield client.query({ ...q, values })) as pg.QueryResult;
  };
  return {
    *insertEvent(row) { return ((yield* query(Q.insertEvent, EVENT_COLUMNS.map((c) => row[c]))).rowCount ?? 0) > 0; },
    *findEvent(id) { return (yield* query(Q.findEvent, [id])).rows[0] as EventRow | undefined; },
    *updateEvent(id, u) {
      yield* query(Q.updateEvent, [id, u.score, u.box, u.updated_at, u.snapshot_path, u.snapshot_sha256, u.thumbnail_path]);
    },
    *endEvent(id, endedAt, score, at) { yield* query(Q.endEvent, [id, endedAt, score, at]); },
    *hasOpenMotionAfter(cameraId, startedAt) { return (yield* query(Q.openMotionAfter, [cameraId, startedAt])).rows.length > 0; },
    *openEventsBefore(cameraId, before) { return (yield* query(Q.openBefore, [cameraId, before])).rows as EventRow[]; },
    *addOutbox(rows) {
      if (rows.length === 0) return;
      const q = outboxInsert(rows);
      yield* query({ text: q.text }, q.values);
    },
    *cancelPending(topic, payload) { yield* query(Q.cancelPending, [topic, payload]); },
    *alertMemory(cameraId, zone, since): Step<AlertMemory> {
      yield* query(Q.lockZone, [zone]);
      const last = (yield* query(Q.lastAlert, [cameraId, since])).rows[0] as { at: string | number | null } | undefined;
      const inc = (yield* query(Q.lastIncident, [zone, since])).rows[0] as { incident_id: string; started_at: string | number } | undefined;
      return {
        lastAlertAt: last?.at == null ? null : Number(last.at),
        lastIncident: inc ? { id: inc.incident_id, at: Number(inc.started_at) } : null,
      };
    },
  };
}

/** Drives a body: each yielded promise is awaited and its value (or error) handed back in. */
async function drive<T>(body: Step<T>): Promise<T> {
  let r = body.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = await r.value;
    } catch (error) {
      r = body.throw(error);
      continue;
    }
    r = body.next(value);
  }
  return r.value;
}

export class PostgresWorkerStore implements WorkerStore {
  readonly #pool: pg.Pool;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  commit<T>(body: (w: WorkerWrites) => Step<T>): Promise<T> {
    const run = this.#tail.then(() => this.#transaction(body));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async findEvent(id: string): Promise<EventRow | undefined> {
    const r = await this.#pool.query({ ...Q.findEvent, values: [id] });
    return r.rows[0] as EventRow | undefined;
  }

  async #transaction<T>(body: (w: WorkerWrites) => Step<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const value = await drive(body(writesOn(client)));
      await client.query('commit');
      return value;
    } catch (error) {
      // A connection whose rollback fails is in an unknown state: the pool drops it instead of reusing it.
      await client.query('rollback').catch((e: unknown) => { broken = e as Error; });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
