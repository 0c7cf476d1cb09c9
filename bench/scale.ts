// npm run bench:scale — failover of ingest nodes sharing cameras through the watch jobs.
// Three `mat-than serve --role ingest` processes share N simulated cameras (PostgreSQL, Redis);
// the node holding most cameras is killed with SIGKILL, a replacement joins, and again, --kills
// times. From the nodes' own watch log it prints, per camera that lost its node: the time until
// another node took it (p50/max) and until every camera streamed again; and the seconds any camera
// was watched by two nodes at once. Figures are also given as ratios of the worst case the cluster
// settings allow (lockDurationMs + stalledIntervalMs), measured in this run. Needs `npm run build`.

import os from 'node:os';
import { parseArgs } from 'node:util';
import { coverage, type CameraCoverage } from '../src/cluster/watch-coverage.js';
import { startRtspSimulator } from '../src/sim/rtsp-simulator.js';
import { waitFor } from '../test/helpers/harness.js';
import { allWatchedOnce, deploymentConfig, FAST_CLUSTER, holdings, nodesUnavailable, seedCameras, startDeployment, type Deployment, type NodeProcess } from '../test/helpers/nodes.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { startRedis } from '../test/helpers/services.js';
import { percentile } from './motion-score.js';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '30' }, kills: { type: 'string', default: '4' }, nodes: { type: 'string', default: '3' } } });
const CAMERAS = Array.from({ length: Number(values.cameras) }, (_, i) => `cam${String(i + 1).padStart(3, '0')}`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** `deaths`: every node killed so far (their watches have no `stop` record), this one added. */
async function killOne(d: Deployment, live: NodeProcess[], deaths: Map<string, number>): Promise<{ gaps: CameraCoverage[]; streamingAgainMs: number; duplicateMs: number }> {
  const held = await holdings(live, false);
  const victim = live.reduce((a, b) => ((held.get(a.nodeId)?.length ?? 0) >= (held.get(b.nodeId)?.length ?? 0) ? a : b));
  const lost = held.get(victim.nodeId) ?? [];
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  deaths.set(victim.nodeId, killedAt);
  live.splice(live.indexOf(victim), 1);
  await waitFor('every camera streaming again', async () => allWatchedOnce(await holdings(live), CAMERAS), 120_000);
  const streamingAgainMs = Date.now() - killedAt;
  const all = coverage(await d.watchRecords(), CAMERAS, deaths, killedAt, Date.now());
  // The replacement joins: the hand-overs of the rebalance count towards duplicates too.
  const joinedAt = Date.now();
  live.push(await d.start('ingest'));
  await waitFor('load evened out', async () => {
    const counts = [...(await holdings(live)).values()].map((c) => c.length);
    return counts.length === live.length && Math.max(...counts) - Math.min(...counts) <= 2 && counts.reduce((a, b) => a + b, 0) === CAMERAS.length;
  }, 120_000);
  const rebalance = coverage(await d.watchRecords(), CAMERAS, deaths, joinedAt, Date.now());
  const duplicateMs = [...all, ...rebalance].reduce((s, c) => s + c.duplicateMs, 0);
  return { gaps: all.filter((c) => lost.includes(c.camera)), streamingAgainMs, duplicateMs };
}

async function main(): Promise<void> {
  const why = nodesUnavailable();
  if (why) throw new Error(why);
  const pg = await startPostgres();
  if (!pg) throw new Error('PostgreSQL is not installed');
  const redis = await startRedis();
  const sim = await startRtspSimulator({ cameras: CAMERAS, width: 160, height: 96, fps: 5, gop: 5, readyTimeoutMs: 120_000 });
  const d = startDeployment(deploymentConfig({ redisUrl: redis.url, databaseUrl: await pg.createDatabase('bench_scale') }));
  try {
    await seedCameras(d.config, CAMERAS.map((id) => ({ id, rtspUrl: sim.url(id) })));
    const live = await Promise.all(Array.from({ length: Number(values.nodes) }, () => d.start('ingest')));
    await waitFor('all cameras watched', async () => allWatchedOnce(await holdings(live), CAMERAS), 180_000);
    const gapsMs: number[] = [];
    const streaming: number[] = [];
    let duplicateMs = 0;
    const deaths = new Map<string, number>();
    for (let k = 1; k <= Number(values.kills); k++) {
      const r = await killOne(d, live, deaths);
      gapsMs.push(...r.gaps.map((g) => g.longestGapMs));
      streaming.push(r.streamingAgainMs);
      duplicateMs += r.duplicateMs;
      process.stdout.write(`kill ${k}: ${r.gaps.length} cameras moved, taken over after max ${(Math.max(...r.gaps.map((g) => g.longestGapMs)) / 1000).toFixed(1)} s, all streaming after ${(r.streamingAgainMs / 1000).toFixed(1)} s (load ${load()})\n`);
    }
    const bound = FAST_CLUSTER.lockDurationMs + FAST_CLUSTER.stalledIntervalMs;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const p50 = percentile(gapsMs, 50);
    const max = Math.max(...gapsMs);
    process.stdout.write([
      `bench:scale — ${CAMERAS.length} cameras, ${values.nodes} ingest nodes, ${values.kills} SIGKILLs, ${os.cpus().length} cores, load average ${load()} (a shared, busy box)`,
      `cluster: lockDurationMs ${FAST_CLUSTER.lockDurationMs}, stalledIntervalMs ${FAST_CLUSTER.stalledIntervalMs}, heartbeatMs ${FAST_CLUSTER.heartbeatMs}, nodeTtlMs ${FAST_CLUSTER.nodeTtlMs}; worst case lock + stalled check = ${s(bound)}`,
      `failover (kill → another node watches), per moved camera: p50 ${s(p50)} (${(p50 / bound).toFixed(2)}× bound), max ${s(max)} (${(max / bound).toFixed(2)}× bound), n=${gapsMs.length}`,
      `until every camera streams again (first frame), per kill: p50 ${s(percentile(streaming, 50))}, max ${s(Math.max(...streaming))}`,
      `duplicate watching (two nodes on one camera at once), all kills and rebalances: ${(duplicateMs / 1000).toFixed(1)} camera-seconds`,
      '',
    ].join('\n'));
  } finally {
    await d.close();
    await sim.stop();
    await redis.stop();
    await pg.stop();
  }
}

await main();
