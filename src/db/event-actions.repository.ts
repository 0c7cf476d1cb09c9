// SQL for event_actions (acknowledgements and escalations), and the outbox row that announces each.

import type { Selectable } from 'kysely';
import type { Message } from '../mqtt/topics.js';
import type { Db } from './database.js';
import type { EventActionsTable } from './schema.js';

export type EventActionRow = Selectable<EventActionsTable>;

export class EventActionsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Stores the action, then its MQTT message in the outbox (published by the relay, on whichever node
   * runs one). Two statements, not a transaction: on SQLite the worker's prepared-statement transactions
   * share the connection (docs/architecture.md §5). A crash in between keeps the action and loses only
   * its live notice; the action is never announced without being stored.
   */
  async record(row: EventActionRow, message: Message): Promise<void> {
    await this.db.insertInto('event_actions').values(row).execute();
    const payload = Buffer.isBuffer(message.payload) ? message.payload : Buffer.from(message.payload);
    await this.db.insertInto('outbox').values({
      dedupe_key: `action_${row.id}`, topic: message.topic, payload, payload_file: null,
      qos: message.options.qos, retain: message.options.retain ? 1 : 0, deliver_after: row.at, created_at: row.at,
    }).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  }

  /** The event's actions, oldest first. */
  async forEvent(eventId: string): Promise<EventActionRow[]> {
    return this.db.selectFrom('event_actions').selectAll().where('event_id', '=', eventId).orderBy('at').orderBy('id').execute();
  }
}
