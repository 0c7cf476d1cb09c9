// deploy/ cannot run here (no Docker engine, no systemd as PID 1), so its files are checked for what
// would break them: the compose file's structure against this repository (roles, env keys the service
// reads, volumes, files), `docker compose config` where a compose client exists, and
// `systemd-analyze verify`/`security` on the units where systemd-analyze exists.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../../..');
const deploy = path.join(root, 'deploy');
const composeFile = path.join(deploy, 'docker-compose.yml');

type Service = {
  image?: string; build?: { context: string; dockerfile: string }; command?: string[];
  depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; volumes?: string[];
};
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = Object.entries(compose.services);
const appServices = services.filter(([, s]) => s.command?.[0] === 'serve');

/** Every environment variable src/config.ts reads: the only keys the service's environment may set. */
const configEnvKeys = new Set([...readFileSync(path.join(root, 'src/config.ts'), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string));

/** Placeholders for the required values of deploy/.env. */
const composeEnv = { MATTHAN_SECRET_KEY: 'k', POSTGRES_PASSWORD: 'p', MQTT_PASSWORD: 'm' };

t.test('the compose file: every service runnable, app services with a valid role and known env keys', async (t) => {
  t.same(appServices.map(([n]) => n).sort(), ['api', 'ingest-1', 'ingest-2', 'worker']);
  t.ok(['redis', 'mosquitto', 'postgres'].every((n) => compose.services[n]?.image), 'Redis, Mosquitto, PostgreSQL from images');
  for (const [name, s] of services) {
    t.ok(s.image !== undefined || s.build !== undefined, `${name} has an image or a build`);
    if (s.build) {
      t.ok(existsSync(path.join(deploy, s.build.context, s.build.dockerfile)), `${name}: its Dockerfile exists`);
    }
    for (const dep of Object.keys(s.depends_on ?? {})) t.ok(compose.services[dep], `${name} depends on ${dep}, which exists`);
  }
  for (const [name, s] of appServices) {
    const [, flag, role] = s.command ?? [];
    t.equal(flag, '--role', `${name}: serve --role`);
    t.ok(String(role).split(',').every((r) => ['api', 'ingest', 'worker'].includes(r)) || role === 'all', `${name}: role ${role} is a role`);
    const unknown = Object.keys(s.environment ?? {}).filter((k) => !configEnvKeys.has(k));
    t.same(unknown, [], `${name}: every env key is one src/config.ts reads`);
    t.ok(s.environment?.MATTHAN_NODE_ID, `${name} names its node`);
    t.ok(s.environment?.MQTT_CLIENT_ID, `${name} has its own MQTT session`);
  }
  const clientIds = appServices.map(([, s]) => s.environment?.MQTT_CLIENT_ID);
  t.equal(new Set(clientIds).size, clientIds.length, 'no two nodes share an MQTT client id (the broker would drop one)');
  t.same(appServices.map(([, s]) => s.command?.[2]).sort(), ['api', 'ingest', 'ingest', 'worker'], 'one api, two ingest, one worker');
});

t.test('the compose file: named volumes declared, bind-mounted files present', async (t) => {
  for (const [name, s] of services) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0] as string;
      if (source.startsWith('.') || source.startsWith('/')) t.ok(existsSync(path.resolve(deploy, source)), `${name}: ${source} exists`);
      else t.ok(source in (compose.volumes ?? {}), `${name}: volume ${source} is declared`);
    }
  }
  const acl = readFileSync(path.join(deploy, 'mosquitto/acl'), 'utf8');
  t.match(acl, /^topic read matthan\/#$/m, 'anonymous MQTT clients may read');
  t.notMatch(acl.split(/^user /m)[0] as string, /readwrite|topic write/, '...but not publish');
});

t.test('the Dockerfile: Debian with its ffmpeg, copies what exists and is not ignored, starts the built CLI', async (t) => {
  const dockerfile = readFileSync(path.join(deploy, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  t.ok([...dockerfile.matchAll(/^FROM (\S+)/gm)].every((m) => /bookworm/.test(m[1] as string)), 'every stage on Debian 12');
  t.match(dockerfile, /apt-get install [^\n]*\bffmpeg\b/, "Debian's ffmpeg");
  const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
  t.ok(sources.length >= 5, 'copies the sources');
  for (const src of sources) {
    t.ok(existsSync(path.join(root, src)), `${src} exists in the build context`);
    t.notOk(ignored.includes(src), `${src} is not in .dockerignore`);
  }
  t.match(dockerfile, /ENTRYPOINT \[.*"\/opt\/mat-than\/dist\/cli\/mat-than\.js"\]/);
  t.ok(existsSync(path.join(root, 'src/cli/mat-than.ts')), 'which tsc builds from src/cli/mat-than.ts');
  t.match(dockerfile, /^USER node$/m, 'runs unprivileged');
});

t.test('the env examples set only keys the service reads', async (t) => {
  for (const file of ['mat-than.env.example']) {
    const keys = [...readFileSync(path.join(deploy, file), 'utf8').matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string);
    t.ok(keys.length > 3, `${file} has settings`);
    t.same(keys.filter((k) => !configEnvKeys.has(k)), [], `${file}: every key is one src/config.ts reads`);
  }
});

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever answers here. */
function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return null;
}

const cmd = composeCommand();
t.test('docker compose config accepts the file (no engine needed)', { skip: cmd ? false : 'no docker compose client here (docker compose plugin or docker-compose)' }, async (t) => {
  if (!cmd) return;
  const run = (env: Record<string, string>) => spawnSync(cmd[0] as string, [...cmd.slice(1), '-f', composeFile, 'config'], {
    encoding: 'utf8', cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...env },
  });
  const ok = run(composeEnv);
  t.equal(ok.status, 0, `${cmd.join(' ')} config: ${ok.stderr}`);
  const resolved = parse(ok.stdout) as { services: Record<string, Service> };
  t.equal(resolved.services['ingest-2']?.environment?.MATTHAN_NODE_ID, 'ingest-2', 'anchors and merges resolved as expected');
  t.equal(resolved.services.worker?.environment?.REDIS_URL, 'redis://redis:6379');
  const missing = run({ POSTGRES_PASSWORD: 'p', MQTT_PASSWORD: 'm' });
  t.not(missing.status, 0, 'no secret key, no configuration');
  t.match(missing.stderr, /MATTHAN_SECRET_KEY/);
});

function systemdSkip(): string | false {
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) return 'systemd-analyze is not installed (Debian: apt-get install systemd)';
  // verify also checks that ExecStart's program exists.
  if (!existsSync('/usr/bin/node')) return 'the units run /usr/bin/node, which is not here';
  return false;
}

t.test('systemd units verify cleanly and stay hardened', { skip: systemdSkip() }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-units-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['mat-than.service', 'mat-than@.service']) copyFileSync(path.join(deploy, f), path.join(dir, f));
  for (const unit of ['mat-than.service', 'mat-than@api.service', 'mat-than@ingest.service', 'mat-than@worker.service']) {
    const file = path.join(dir, unit);
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', cwd: dir });
    t.equal(verify.status, 0, `${unit} verifies`);
    // Unknown keys and bad values are only warnings (exit 0): any output at all is a failure.
    t.equal(`${verify.stdout}${verify.stderr}`.trim(), '', `${unit}: no warnings`);
    // Exposure 0-10 (×10 here); these units score about 1.7 ("OK"); 2.5 would mean a hardening line was lost.
    const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--threshold=25', file], { encoding: 'utf8', cwd: dir });
    t.equal(security.status, 0, `${unit}: exposure ≤ 2.5 — ${/Overall exposure level.*/.exec(security.stdout)?.[0] ?? security.stderr}`);
  }
  t.match(readFileSync(path.join(deploy, 'mat-than@.service'), 'utf8'), /^ExecStart=.* serve --role %i$/m, 'the instance is the role');
});
