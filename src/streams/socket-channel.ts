// A private unix socket that ffmpeg writes one output to. It splits the byte stream into items
// (JPEGs, raw frames), keeps the last few numbered in arrival order, and hands one out by number, so
// an image can be matched to the detection frame that triggered it.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface StreamSplitter<T> {
  /** The items the chunk completes; throws on a stream it cannot read (the socket is then dropped). */
  push(chunk: Buffer): Iterable<T>;
}

export class SocketChannel<T> {
  readonly #dir = mkdtempSync(path.join(os.tmpdir(), 'mt-'));
  readonly socketPath: string;
  readonly #server = net.createServer((socket) => this.#accept(socket));
  readonly #sockets = new Set<net.Socket>();
  readonly #keep: number;
  readonly #newSplitter: () => StreamSplitter<T>;
  #items: Array<{ seq: number; item: T }> = [];
  #seq = 0;
  #waiters: Array<{ seq: number; resolve: () => void }> = [];

  constructor(socketName: string, keep: number, newSplitter: () => StreamSplitter<T>) {
    this.socketPath = path.join(this.#dir, socketName);
    this.#keep = keep;
    this.#newSplitter = newSplitter;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => resolve());
    });
  }

  /** ffmpeg's output URL for this channel. */
  get target(): string {
    return `unix:${this.socketPath}`;
  }

  /** Numbering restarts with each ffmpeg run, in step with the detection frames. */
  resetSequence(): void {
    this.#seq = 0;
    this.#items = [];
  }

  /** Item `seq` (1-based in this run), waiting up to `waitMs` for it; else the latest one. */
  async itemFor(seq: number, waitMs: number): Promise<T | null> {
    if (this.#seq < seq) {
      await new Promise<void>((resolve) => {
        const waiter = { seq, resolve };
        this.#waiters.push(waiter);
        setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        }, waitMs).unref();
      });
    }
    return (this.#items.find((i) => i.seq === seq) ?? this.#items.at(-1))?.item ?? null;
  }

  async close(): Promise<void> {
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #accept(socket: net.Socket): void {
    const splitter = this.#newSplitter();
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const item of splitter.push(chunk)) this.#add(item);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
  }

  #add(item: T): void {
    this.#seq++;
    this.#items.push({ seq: this.#seq, item });
    if (this.#items.length > this.#keep) this.#items.shift();
    const ready = this.#waiters.filter((w) => w.seq <= this.#seq);
    this.#waiters = this.#waiters.filter((w) => w.seq > this.#seq);
    for (const w of ready) w.resolve();
  }
}
