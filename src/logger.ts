// The pino root. Every line passes through a scrubber so that camera credentials in URLs
// (which ffmpeg likes to echo in its errors) can never be written, whatever object carried them.

import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { redactUrls } from './cameras/camera-url.js';

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  pretty?: boolean;
  /** Where scrubbed lines go; defaults to stdout. Tests pass a collector. */
  destination?: NodeJS.WritableStream;
}

function scrubbingStream(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      target.write(redactUrls(chunk.toString()));
      done();
    },
  });
}

export function createLogger(opts: LoggerOptions): Logger {
  const usePretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  const target = opts.destination ?? (usePretty ? pretty({ colorize: true, sync: true }) : process.stdout);
  return pino(
    {
      level: opts.level,
      base: { service: 'mat-than' },
      redact: {
        paths: ['password', '*.password', 'req.headers.authorization', 'req.headers.cookie', 'credentials'],
        censor: '***',
      },
    },
    scrubbingStream(target),
  );
}
