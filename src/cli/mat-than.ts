#!/usr/bin/env node
// mat-than serve | demo — the service's command line.

import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { isMatThanError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { startService, type Service } from '../main.js';
import { startDemoCameras } from './demo.js';

const USAGE = `Usage: mat-than <command> [options]

Commands:
  serve        run the service with the cameras in the configuration
  demo         run the service; with no cameras configured, start three simulated RTSP cameras

Configuration: config/default.yaml, then the file named by MATTHAN_CONFIG, then the
environment (REDIS_URL, MQTT_URL, DATABASE_URL, DATA_DIR, PORT, PUBLIC_URL, LOG_LEVEL).
`;

function onSignals(logger: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function run(command: string): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`mat-than: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty ?? undefined });
  const closers: Array<() => Promise<void>> = [];
  try {
    if (command === 'demo' && config.cameras.length === 0) {
      const demo = await startDemoCameras(logger);
      closers.push(() => demo.close());
      config.cameras = demo.cameras;
    }
    const service: Service = await startService(config, logger);
    closers.unshift(() => service.close());
    onSignals(logger, async () => { for (const c of closers) await c(); });
  } catch (err) {
    for (const c of closers) await c().catch(() => undefined);
    const code = isMatThanError(err) ? err.code : 'INTERNAL';
    logger.fatal({ code, err }, 'could not start');
    process.stderr.write(`mat-than: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
const command = positionals[0];
if (values.help || command === undefined || command === 'help') {
  process.stdout.write(USAGE);
  process.exit(command === undefined && !values.help ? 2 : 0);
} else if (command === 'serve' || command === 'demo') {
  await run(command);
} else {
  process.stderr.write(`mat-than: unknown command '${command}'\n\n${USAGE}`);
  process.exit(2);
}
