// Three ingest processes share 30 simulated cameras through the watch jobs; one is killed with
// SIGKILL and the other two take its cameras; a fourth joins and the load evens out. Gaps and double
// watching are measured from the nodes' own watch log (timings are printed, bench:scale reports them).

import t from 'tap';
import { coverage } from '../../src/cluster/watch-coverage.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { waitFor } from '../helpers/harness.js';
import { allWatchedOnce, deploymentConfig, holdings, nodesUnavailable, seedCameras, startDeployment, type NodeProcess } from '../helpers/nodes.js';
import { postgresBinDir, startPostgres } from '../helpers/postgres.js';
import { startRedis } from '../helpers/services.js';

const CAMERAS = Array.from({ length: 30 }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);

// Four node processes and 30 ffmpegs on a busy two-core box: more than the 180 s per file of .taprc.
t.setTimeout(420_000);

const skip = nodesUnavailable() ?? (postgresBinDir() === null ? 'PostgreSQL is not installed (scripts/setup.sh --test installs it)' : false);

t.test('a killed ingest node\'s cameras are taken over; a new node evens the load', { skip }, async (t) => {
  const pg = (await startPostgres())!;
  t.teardown(() => pg.stop());
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  // Small and slow pictures, nobody crossing: 30 cameras and three or four nodes fit on two busy cores.
  const sim = await startRtspSimulator({ cameras: CAMERAS, width: 160, height: 96, fps: 5, gop: 5, readyTimeoutMs: 90_000 });
  t.teardown(() => sim.stop());
  const d = startDeployment(deploymentConfig({ redisUrl: redis.url, databaseUrl: await pg.createDatabase('scale') }));
  t.teardown(() => d.close());

  await seedCameras(d.config, CAMERAS.map((id) => ({ id, rtspUrl: sim.url(id) })));

  const nodes = await Promise.all([0, 1, 2].map(() => d.start('ingest')));
  // Thirty first frames through three fresh processes take a while on a busy box; say where it stands if they do not come.
  await waitFor('30 cameras watched by three nodes', async () => allWatchedOnce(await holdings(d.nodes), CAMERAS), 180_000).catch(async (err: unknown) => {
    const [held, online] = [await holdings(d.nodes, false), await holdings(d.nodes)];
    throw new Error(`${(err as Error).message}: held ${JSON.stringify([...held.values()].map((c) => c.length))}, streaming ${JSON.stringify([...online.values()].map((c) => c.length))}`);
  });
  const held = await holdings(d.nodes, false);
  t.same([...held.values()].map((c) => c.length).sort(), [10, 10, 10], 'an even share each');

  const victim = nodes.reduce((a, b) => ((held.get(a.nodeId)?.length ?? 0) >= (held.get(b.nodeId)?.length ?? 0) ? a : b));
  const victimCameras = held.get(victim.nodeId) ?? [];
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  // The deadline is the bound (every camera watched again within 60 s).
  await waitFor('every camera watched again', async () => allWatchedOnce(await holdings(d.nodes), CAMERAS), 60_000);
  const afterKill = Date.now();
  const deaths = new Map([[victim.nodeId, killedAt]]);
  const failover = coverage(await d.watchRecords(), CAMERAS, deaths, killedAt, afterKill);
  t.ok(failover.every((c) => c.duplicateMs === 0), 'no camera watched by two nodes at once');
  const records = await d.watchRecords();
  const others = failover.filter((c) => c.unwatchedMs > 0 && !victimCameras.includes(c.camera));
  t.same(others.map((c) => ({ ...c, stops: records.filter((r) => r.camera === c.camera && r.at >= killedAt && r.event === 'stop').map((r) => r.why) })), [],
    'only the dead node\'s cameras went unwatched');
  t.comment(`failover gaps (ms): ${failover.filter((c) => c.unwatchedMs > 0).map((c) => c.longestGapMs).sort((a, b) => a - b).join(' ')}`);

  const joinedAt = Date.now();
  const fourth: NodeProcess = await d.start('ingest');
  await waitFor('load evened out', async () => {
    const h = await holdings(d.nodes);
    const counts = [...h.values()].map((c) => c.length);
    return allWatchedOnce(h, CAMERAS) && counts.length === 3 && Math.max(...counts) - Math.min(...counts) <= 2 && (h.get(fourth.nodeId)?.length ?? 0) > 0;
  }, 60_000);
  const rebalance = coverage(await d.watchRecords(), CAMERAS, deaths, joinedAt, Date.now());
  t.ok(rebalance.every((c) => c.duplicateMs === 0), 'no camera watched twice while handed over');
  t.comment(`after the join: ${JSON.stringify([...(await holdings(d.nodes)).values()].map((c) => c.length))} cameras per node`);
});
