// The only module that knows fluent-ffmpeg (archived upstream, pinned): swap it here and nowhere else.
// fluent-ffmpeg spawns without a shell and keeps a bounded ring of stderr lines.

import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegSpec } from './ffmpeg-args.js';

export interface FfmpegExit {
  code: number | null;
  signal: string | null;
  /** The last stderr lines (bounded), for the log line that says why it stopped. */
  stderrTail: string[];
}

export interface FfmpegProcessEvents {
  stderr: [line: string];
  exit: [exit: FfmpegExit];
}

const STDERR_TAIL_LINES = 20;

/**
 * fluent-ffmpeg checks the output formats and encoders before every run, caching the answers only
 * once one check has finished: 190 cameras starting at once spawned four `ffmpeg -formats`-style
 * processes each (760) and blocked the event loop for a minute and a half. One check per binary,
 * awaited by every start, fills that cache first.
 */
const capabilityChecks = new Map<string, Promise<void>>();

function checkCapabilities(ffmpegPath: string): Promise<void> {
  let done = capabilityChecks.get(ffmpegPath);
  if (!done) {
    const probe = ffmpeg().setFfmpegPath(ffmpegPath);
    done = new Promise<void>((resolve) => probe.availableFormats(() => probe.availableEncoders(() => resolve())));
    capabilityChecks.set(ffmpegPath, done);
  }
  return done;
}

/** Stop sequence timings: `q` lets ffmpeg flush and close cleanly; signals follow if it does not. */
export interface StopTimings {
  quitMs: number;
  termMs: number;
}

/**
 * Spawns are paced service-wide: forking a large Node process blocks its event loop for a while, and
 * each new ffmpeg spends its first second or two on RTSP set-up and probing. 190 cameras starting at
 * once would do all of that together; paced, they are up in about 10 s, and a lone spawn (an
 * escalation) never waits.
 */
const SPAWN_GAP_MS = 50;
let nextSpawnAt = 0;

function spawnTurn(): Promise<void> {
  const now = Date.now();
  const at = Math.max(now, nextSpawnAt);
  nextSpawnAt = at + SPAWN_GAP_MS;
  return at > now ? new Promise((resolve) => setTimeout(resolve, at - now)) : Promise.resolve();
}

export class FfmpegProcess extends EventEmitter<FfmpegProcessEvents> {
  readonly stdout: Readable = new PassThrough({ highWaterMark: 1 << 20 });
  #command: ffmpeg.FfmpegCommand;
  #proc: ChildProcess | null = null;
  #exited: Promise<FfmpegExit>;
  #tail: string[] = [];
  readonly #ffmpegPath: string;

  /** `nice`: how much nicer than the service ffmpeg runs (0: the service's own priority; capped at 19). */
  constructor(spec: FfmpegSpec, ffmpegPath: string, nice = 0) {
    super();
    this.#ffmpegPath = ffmpegPath;
    const cmd = ffmpeg({ stdoutLines: STDERR_TAIL_LINES }).setFfmpegPath(ffmpegPath);
    cmd.input(spec.input).inputOptions(spec.inputOptions);
    for (const extra of spec.extraInputs) cmd.input(extra.url).inputOptions(extra.options);
    cmd.addOptions(spec.globalOptions);
    cmd.complexFilter(spec.complexFilter);
    for (const out of spec.outputs) {
      if (out.target === 'stdout') cmd.output(this.stdout as PassThrough, { end: true });
      else cmd.output(out.target);
      cmd.outputOptions(out.options);
    }
    this.#command = cmd;
    this.#exited = new Promise((resolve) => {
      const done = (err?: Error) => {
        const exit = this.#describeExit(err);
        this.emit('exit', exit);
        resolve(exit);
      };
      cmd.on('start', () => {
        this.#proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc ?? null;
        this.#proc?.stdin?.on('error', () => { /* ffmpeg may exit before reading `q` */ });
        const pid = this.#proc?.pid;
        if (nice > 0 && pid !== undefined) {
          try {
            os.setPriority(pid, Math.min(19, os.getPriority() + nice));
          } catch { /* it exited already */ }
        }
      });
      cmd.on('stderr', (line: string) => {
        this.#tail.push(line);
        if (this.#tail.length > STDERR_TAIL_LINES) this.#tail.shift();
        this.emit('stderr', line);
      });
      cmd.on('end', () => done());
      cmd.on('error', (err: Error) => done(err));
    });
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  /** Runs ffmpeg once fluent-ffmpeg's capability cache is filled, and its turn to spawn has come. */
  start(): void {
    void checkCapabilities(this.#ffmpegPath).then(spawnTurn).then(() => this.#command.run());
  }

  exited(): Promise<FfmpegExit> {
    return this.#exited;
  }

  /** `q` on stdin, then SIGTERM, then SIGKILL; resolves once the process is gone. */
  async stop(t: StopTimings = { quitMs: 1500, termMs: 1500 }): Promise<FfmpegExit> {
    const proc = this.#proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.stdin?.write('q');
      if (!(await this.#exitsWithin(t.quitMs))) {
        proc.kill('SIGTERM');
        if (!(await this.#exitsWithin(t.termMs))) proc.kill('SIGKILL');
      }
    } else if (!proc) {
      // Not spawned yet (fluent-ffmpeg still probing capabilities): kill as soon as it starts.
      this.#command.once('start', () => this.#command.kill('SIGKILL'));
    }
    return this.#exited;
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
    const result = await Promise.race([this.#exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  #describeExit(err?: Error): FfmpegExit {
    const proc = this.#proc;
    const code = proc?.exitCode ?? (err ? null : 0);
    const signal = proc?.signalCode ?? null;
    const tail = [...this.#tail];
    if (err && tail.length === 0) tail.push(err.message);
    return { code, signal, stderrTail: tail };
  }
}
