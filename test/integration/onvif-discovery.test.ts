// WS-Discovery against ONVIF simulators: unicast on loopback (non-standard port), duplicate UUIDs
// on two addresses, garbage replies, and real multicast between network namespaces (one per camera,
// bridged in a scanner namespace; the root namespace is not touched).
import t from 'tap';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { discoverOnvif, type DiscoveryCandidate } from '../../src/onvif/discovery.js';
import { onvifSimulatorCommand, startOnvifSimulator, type OnvifSimulatorOptions } from '../../src/sim/onvif-simulator.js';

const run = promisify(execFile);
/** Generous: discovery returns as soon as `stopWhen` holds, this only bounds a failure. */
const WINDOW_MS = 10_000;

async function sim(t: { teardown(fn: () => unknown): void }, opts: OnvifSimulatorOptions) {
  const s = await startOnvifSimulator(opts);
  t.teardown(() => s.close());
  return s;
}

const summary = (found: DiscoveryCandidate[]) => found.map((c) => `${c.uuid}@${c.from}`).sort();

t.test('unicast discovery finds the simulator on a non-standard port', async (t) => {
  const s = await sim(t, { discovery: { address: '127.0.0.1', port: 0 } });
  const found = await discoverOnvif({ targets: ['127.0.0.1'], port: s.discoveryPort!, timeoutMs: WINDOW_MS, stopWhen: (f) => f.length >= 1 });
  t.same(found, [{
    uuid: s.uuid,
    xaddrs: [s.deviceUrl],
    scopes: ['onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/name/Mat%20Than%20Sim',
      'onvif://www.onvif.org/hardware/SIM-1', 'onvif://www.onvif.org/location/village'],
    name: 'Mat Than Sim',
    hardware: 'SIM-1',
    from: '127.0.0.1',
  }]);
});

t.test('two cameras sharing one UUID on 127.0.0.1 and 127.0.0.2 are both found', async (t) => {
  const uuid = 'urn:uuid:00000000-0000-0000-0000-00000000dead';
  const a = await sim(t, { uuid, host: '127.0.0.1', discovery: { address: '127.0.0.1', port: 0 } });
  const b = await sim(t, { uuid, host: '127.0.0.2', discovery: { address: '127.0.0.2', port: a.discoveryPort! } });
  const found = await discoverOnvif({ targets: ['127.0.0.0/30'], port: a.discoveryPort!, timeoutMs: WINDOW_MS, stopWhen: (f) => f.length >= 2 });
  t.same(summary(found), [`${uuid}@127.0.0.1`, `${uuid}@127.0.0.2`]);
  t.same(found.map((c) => c.xaddrs[0]).sort(), [a.deviceUrl, b.deviceUrl].sort(), 'each keeps its own XAddrs');
});

t.test('garbage, truncated XML and a reply to another probe are ignored without a crash', async (t) => {
  const s = await sim(t, { discovery: { address: '127.0.0.1', port: 0 }, faults: { udpGarbage: true } });
  // The simulator sends its junk first, so a stop on the first candidate would catch any junk accepted.
  const found = await discoverOnvif({ targets: ['127.0.0.1'], port: s.discoveryPort!, timeoutMs: WINDOW_MS, stopWhen: (f) => f.length >= 1 });
  t.same(summary(found), [`${s.uuid}@127.0.0.1`]);
});

interface NetnsLab {
  scanner: string;
  cameras: Array<{ ns: string; address: string; uuid: string }>;
}

/** Runs `node -e` inside a namespace with this process's loader flags, so it can import our .ts. */
function discoverInNamespace(ns: string, iface: string, expected: number): Promise<DiscoveryCandidate[]> {
  const moduleUrl = pathToFileURL(fileURLToPath(new URL('../../src/onvif/discovery.ts', import.meta.url))).href;
  const code = `const { discoverOnvif } = await import(${JSON.stringify(moduleUrl)});
    const found = await discoverOnvif({ interfaceAddress: ${JSON.stringify(iface)}, timeoutMs: ${WINDOW_MS}, stopWhen: (f) => f.length >= ${expected} });
    process.stdout.write(JSON.stringify(found));`;
  const loaders = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  return run('ip', ['netns', 'exec', ns, process.execPath, ...loaders, '--input-type=module', '-e', code], { timeout: WINDOW_MS * 3 })
    .then(({ stdout }) => JSON.parse(stdout) as DiscoveryCandidate[]);
}

async function startSimInNamespace(ns: string, args: string[], children: ChildProcess[]): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', ns, ...onvifSimulatorCommand(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<null>((resolve) => lines.on('line', (l) => l.startsWith('ready ') && resolve(null)));
  const exited = once(child, 'exit').then(([code]) => new Error(`simulator in ${ns} exited (${String(code)}) before it was ready: ${stderr.trim()}`));
  const stuck = delay(WINDOW_MS * 3, undefined, { ref: false }).then(() => new Error(`simulator in ${ns} not ready: ${stderr.trim()}`));
  const failed = await Promise.race([ready, exited, stuck]);
  if (failed) throw failed;
}

async function buildLab(lab: NetnsLab, namespaces: string[]): Promise<void> {
  const ip = (...args: string[]) => run('ip', args);
  const add = async (ns: string) => (await ip('netns', 'add', ns), namespaces.push(ns), ip('-n', ns, 'link', 'set', 'lo', 'up'));
  await add(lab.scanner);
  // Snooping off: without an IGMP querier the bridge could otherwise drop the group traffic.
  await ip('-n', lab.scanner, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
  await ip('-n', lab.scanner, 'addr', 'add', '10.77.0.1/24', 'dev', 'br0');
  await ip('-n', lab.scanner, 'link', 'set', 'br0', 'up');
  await ip('-n', lab.scanner, 'route', 'add', '224.0.0.0/4', 'dev', 'br0');
  for (const [i, cam] of lab.cameras.entries()) {
    await add(cam.ns);
    await ip('-n', lab.scanner, 'link', 'add', `vcam${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', cam.ns);
    await ip('-n', lab.scanner, 'link', 'set', `vcam${i}`, 'master', 'br0', 'up');
    await ip('-n', cam.ns, 'addr', 'add', `${cam.address}/24`, 'dev', 'eth0');
    await ip('-n', cam.ns, 'link', 'set', 'eth0', 'up');
    // Multicast that names no interface (a join or a send without an address) needs this route, or fails silently.
    await ip('-n', cam.ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  }
}

/** Why network namespaces cannot be used here, or null when they can. */
async function netnsUnavailable(): Promise<string | null> {
  const probe = `mt-probe-${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'del', probe]);
    return null;
  } catch (err) {
    return `network namespaces are not available (needs root or CAP_SYS_ADMIN, and iproute2): ${(err as Error).message.split('\n')[0]}`;
  }
}

const skip = await netnsUnavailable();
t.test('multicast discovery across network namespaces finds every camera', { skip: skip ?? false }, async (t) => {
  const pid = process.pid;
  const shared = 'urn:uuid:00000000-0000-0000-0000-0000000000aa';
  const lab: NetnsLab = {
    scanner: `mt-scan-${pid}`,
    cameras: [
      { ns: `mt-cam0-${pid}`, address: '10.77.0.10', uuid: 'urn:uuid:00000000-0000-0000-0000-000000000001' },
      { ns: `mt-cam1-${pid}`, address: '10.77.0.11', uuid: shared },
      { ns: `mt-cam2-${pid}`, address: '10.77.0.12', uuid: shared },
    ],
  };
  const namespaces: string[] = [];
  const children: ChildProcess[] = [];
  t.teardown(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    }
    // Namespaces last: one still holding a process would outlive `ip netns del`.
    for (const ns of namespaces.reverse()) await run('ip', ['netns', 'del', ns]).catch(() => {});
  });

  await buildLab(lab, namespaces);
  await Promise.all(lab.cameras.map((cam) =>
    startSimInNamespace(cam.ns, ['--discovery-address', cam.address, '--uuid', cam.uuid, '--rtsp-url', `rtsp://${cam.address}:554/live`], children)));
  const found = await discoverInNamespace(lab.scanner, '10.77.0.1', lab.cameras.length);
  t.same(summary(found), lab.cameras.map((c) => `${c.uuid}@${c.address}`).sort(), 'all three, the shared UUID twice');
  for (const c of found) t.match(c.xaddrs[0], new RegExp(`^http://${c.from.replace(/\./g, '\\.')}:\\d+/onvif/device_service$`), `${c.from} advertises itself`);
});
