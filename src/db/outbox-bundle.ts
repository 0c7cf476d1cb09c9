// The messages of one transition that fall due together, stored as ONE outbox row (its `bundle` column):
// one insert, one entry per pending index and one mark per event instead of one per message. Pure.
// Encoding, per message in publication order: u8 flags (bit 0 qos 1, bit 1 retain, bit 2 payload is a
// snapshot file), u16 topic length, topic (UTF-8), u32 payload length, payload (the file path when bit 2).

import type { Message } from '../mqtt/topics.js';
import type { OutboxRow } from './outbox.repository.js';

const QOS1 = 1;
const RETAIN = 2;
const FILE = 4;

/** A message as the relay reads it back: a file payload is the stored snapshot's path, read when sent. */
export interface StoredMessage {
  topic: string;
  payload: Buffer | null;
  file: string | null;
  qos: 0 | 1;
  retain: boolean;
}

export function encodeBundle(messages: readonly Message[]): Buffer {
  const parts = messages.map((m) => {
    const topic = Buffer.from(m.topic);
    const body = m.file !== undefined ? Buffer.from(m.file) : typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload;
    return { flags: (m.options.qos === 1 ? QOS1 : 0) | (m.options.retain ? RETAIN : 0) | (m.file !== undefined ? FILE : 0), topic, body };
  });
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 7 + p.topic.length + p.body.length, 0));
  let at = 0;
  for (const p of parts) {
    at = out.writeUInt8(p.flags, at);
    at = out.writeUInt16BE(p.topic.length, at);
    at += p.topic.copy(out, at);
    at = out.writeUInt32BE(p.body.length, at);
    at += p.body.copy(out, at);
  }
  return out;
}

export function decodeBundle(bundle: Buffer): StoredMessage[] {
  const out: StoredMessage[] = [];
  let at = 0;
  while (at < bundle.length) {
    const flags = bundle.readUInt8(at);
    const topicLength = bundle.readUInt16BE(at + 1);
    const topic = bundle.toString('utf8', at + 3, at + 3 + topicLength);
    at += 3 + topicLength;
    const bodyLength = bundle.readUInt32BE(at);
    const body = bundle.subarray(at + 4, at + 4 + bodyLength);
    at += 4 + bodyLength;
    const file = (flags & FILE) !== 0;
    out.push({ topic, payload: file ? null : body, file: file ? body.toString('utf8') : null, qos: (flags & QOS1) !== 0 ? 1 : 0, retain: (flags & RETAIN) !== 0 });
  }
  return out;
}

/** A row's messages in order: its bundle, or (a lone message, or any row stored before bundles) its own columns. */
export function rowMessages(r: Pick<OutboxRow, 'topic' | 'payload' | 'payload_file' | 'qos' | 'retain' | 'bundle'>): StoredMessage[] {
  if (r.bundle !== null) return decodeBundle(r.bundle);
  return [{ topic: r.topic, payload: r.payload_file === null ? r.payload : null, file: r.payload_file, qos: r.qos === 1 ? 1 : 0, retain: r.retain === 1 }];
}
