#!/usr/bin/env node
// mat-than serve | demo | discover | user — the service's command line.

import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { isMatThanError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { startNode, type ServiceNode } from '../main.js';
import { parseRoles, type Roles } from '../roles.js';
import { demoSecretKey, startDemoCameras, type DemoCameras } from './demo.js';
import { discoverCommand } from './discover.js';
import { USER_USAGE, userCommand } from './user-command.js';

const USAGE = `Usage: mat-than <command> [options]

Commands:
  serve        run the service with the cameras in the configuration
                 --role all|api|ingest|worker  what this node runs (default all: the single box);
                                     a comma-separated list (api,worker) is one node of several
                                     sharing REDIS_URL, MQTT_URL and a postgres:// DATABASE_URL
  demo         run the service; with no cameras configured, start three simulated cameras
               and onboard them over ONVIF (keeps a secret key in DATA_DIR/secret.key)
  discover     list ONVIF cameras answering WS-Discovery (never registers them)
                 --targets a,b,CIDR  unicast probes (each CIDR at most a /24); default multicast
                 --interface ADDR    local IPv4 address to probe from
                 --timeout MS        how long to collect replies (default 3000)
                 --json              one JSON array instead of one line per camera
${USER_USAGE}
The first admin: set MATTHAN_ADMIN_PASSWORD (and optionally MATTHAN_ADMIN_USERNAME, default admin)
when starting serve or demo — it is created only while no admin exists — or use \`user add\`.

Configuration: config/default.yaml, then the file named by MATTHAN_CONFIG, then the
environment (REDIS_URL, MQTT_URL, MQTT_CLIENT_ID, DATABASE_URL, DATA_DIR, PORT, PUBLIC_URL, LOG_LEVEL,
MATTHAN_NODE_ID, MATTHAN_METRICS_TOKEN (turns GET /metrics on),
MATTHAN_SECRET_KEY — required by serve: 32 bytes as base64 or hex, e.g. openssl rand -base64 32).
`;

const NO_ADMIN_YET = `
No admin account yet: the API answers 401 until you make one. Either stop and start again with
  MATTHAN_ADMIN_PASSWORD='<10+ characters>' npm run demo
or, while it runs, in another terminal:
  printf '%s\\n' '<10+ characters>' | node dist/cli/mat-than.js user add --username admin --role admin --password-stdin
then sign in with POST /api/auth/login {"username":"admin","password":"…"} (see README.md).

`;

const SHUTDOWN_DEADLINE_MS = 30_000;

function onSignals(logger: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A stage that cannot close (a dependency gone) must not keep the process from exiting.
    setTimeout(() => {
      logger.error({ afterMs: SHUTDOWN_DEADLINE_MS }, 'shutdown did not finish; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
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

async function run(command: string, roleText: string | undefined): Promise<void> {
  let config: Config;
  let roles: Roles;
  try {
    config = loadConfig();
    roles = command === 'demo' ? parseRoles('all') : parseRoles(roleText);
  } catch (err) {
    process.stderr.write(`mat-than: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty ?? undefined });
  const closers: Array<() => Promise<void>> = [];
  try {
    const demoMode = command === 'demo';
    if (demoMode && config.secretKey === null) config.secretKey = demoSecretKey(config.dataDir);
    let demo: DemoCameras | null = null;
    if (demoMode && config.cameras.length === 0) {
      demo = await startDemoCameras(logger);
      closers.push(() => demo!.close());
      // Someone walks by every 20 s in the demo: a shorter cooldown lets each crossing alert.
      config.alerts.cooldownSec = Math.min(config.alerts.cooldownSec, 10);
    }
    const service: ServiceNode = await startNode(config, logger, { roles, demo: demoMode });
    closers.unshift(() => service.close());
    await demo?.onboard(service.registry);
    if (demoMode && service.accounts && !(await service.accounts.hasAdmin())) process.stdout.write(NO_ADMIN_YET);
    onSignals(logger, async () => { for (const c of closers) await c(); });
  } catch (err) {
    for (const c of closers) await c().catch(() => undefined);
    const code = isMatThanError(err) ? err.code : 'INTERNAL';
    logger.fatal({ code, err }, 'could not start');
    process.stderr.write(`mat-than: ${(err as Error).message}\n`);
    // A missing or malformed key is a configuration problem, reported like one.
    process.exit(code === 'SECRET_KEY_MISSING' || code === 'SECRET_KEY_INVALID' || code === 'CONFIG_INVALID' ? 2 : 1);
  }
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' },
    targets: { type: 'string' }, interface: { type: 'string' }, timeout: { type: 'string' }, port: { type: 'string' },
    username: { type: 'string' }, role: { type: 'string' }, household: { type: 'string' }, 'password-stdin': { type: 'boolean' },
  },
});
const command = positionals[0];
if (values.help || command === undefined || command === 'help') {
  process.stdout.write(USAGE);
  process.exit(command === undefined && !values.help ? 2 : 0);
} else if (command === 'serve' || command === 'demo') {
  await run(command, values.role);
} else if (command === 'discover') {
  process.exit(await discoverCommand(values));
} else if (command === 'user') {
  process.exit(await userCommand(positionals[1], values));
} else {
  process.stderr.write(`mat-than: unknown command '${command}'\n\n${USAGE}`);
  process.exit(2);
}
