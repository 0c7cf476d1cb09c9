// bench:ingest's "ours" in a process of its own, running the service's compiled code (dist/) under
// plain node, as a deployed service runs: what it measures is the stream supervisor, the overload guard
// and their ffmpegs, without the bench's TypeScript loader (~36 MB of memory) or its bookkeeping.
// Plain JavaScript so it needs no loader itself. `npm run bench:ingest` builds dist/ first.
//   parent → host: { op: 'start', id, cameras, log } | { op: 'snapshot', id } | { op: 'pids', id }
//                  | { op: 'states', id, cameras } | { op: 'close', id }
//   host → parent: { id, value } answers; { episode: { cameraId, at } } as each motion episode starts

import { createWriteStream } from 'node:fs';
import { loadConfig } from '../dist/config.js';
import { createLogger } from '../dist/logger.js';
import { ffmpegMajorVersion } from '../dist/main.js';
import { OverloadGuard } from '../dist/streams/overload-guard.js';
import { StreamSupervisor } from '../dist/streams/stream-supervisor.js';

let supervisor = null;
let guard = null;
let logFile = null;

const ops = {
  async start({ cameras, log }) {
    const config = loadConfig({ env: {} });
    logFile = createWriteStream(log);
    const logger = createLogger({ level: 'info', destination: logFile });
    supervisor = new StreamSupervisor(config.motion, config.stream, {
      logger, ffmpegMajor: ffmpegMajorVersion(config.stream.ffmpegPath), analysis: config.analysis,
      offlineGraceMs: 60_000, frozenAfterMs: 600_000, coveredAfterMs: 600_000,
      onEpisode: async (camera, episode) => {
        if (episode.kind === 'start') process.send({ episode: { cameraId: camera.id, at: Date.now() } });
      },
      onHealth: async () => {},
    });
    guard = new OverloadGuard(config.analysis.overload, supervisor, logger);
    guard.start();
    for (const camera of cameras) await supervisor.add(camera);
    return null;
  },
  async snapshot() {
    return { stats: supervisor.stats(), pids: supervisor.pids(), overload: guard.state() };
  },
  // Inside the measured window the bench asks only for these: every camera's stats, serialised and
  // sent four times a second, cost the host more than some of what it measures.
  async pids() {
    return supervisor.pids();
  },
  /** Each camera's analysis state, as a short label: mode (→ the wanted one while swapping), episode open. */
  async states({ cameras }) {
    const wanted = new Set(cameras);
    return Object.fromEntries(supervisor.stats().filter((s) => wanted.has(s.cameraId)).map((s) =>
      [s.cameraId, `${s.analysis.mode ?? '-'}${s.analysis.swapping ? '→' + s.analysis.wanted : ''}${s.motion ? ', episode open' : ''}`]));
  },
  async close() {
    guard.close();
    await supervisor.close();
    await new Promise((resolve) => logFile.end(resolve));
    return null;
  },
};

process.on('message', (m) => {
  ops[m.op](m).then((value) => {
    process.send({ id: m.id, value });
    if (m.op === 'close') process.disconnect();
  }, (err) => process.send({ id: m.id, error: String(err?.stack ?? err) }));
});
