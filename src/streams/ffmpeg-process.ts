// The only module that knows fluent-ffmpeg (archived upstream, pinned): swap it here and nowhere else.
// fluent-ffmpeg spawns without a shell and keeps a bounded ring of stderr lines.

import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
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

/** Stop sequence timings: `q` lets ffmpeg flush and close cleanly; signals follow if it does not. */
export interface StopTimings {
  quitMs: number;
  termMs: number;
}

export class FfmpegProcess extends EventEmitter<FfmpegProcessEvents> {
  readonly stdout: Readable = new PassThrough({ highWaterMark: 1 << 20 });
  #command: ffmpeg.FfmpegCommand;
  #proc: ChildProcess | null = null;
  #exited: Promise<FfmpegExit>;
  #tail: string[] = [];

  constructor(spec: FfmpegSpec, ffmpegPath: string) {
    super();
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

  start(): void {
    this.#command.run();
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
