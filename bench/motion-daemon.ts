// The Motion daemon (motion-project.github.io) as a CPU reference for bench:ingest: one `motion -n`
// process with one camera per RTSP URL at Motion's default detection settings, outputs off.

import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface MotionDaemon {
  pid: number;
  stop(): Promise<void>;
}

export async function startMotionDaemon(bin: string, dir: string, urls: string[]): Promise<MotionDaemon> {
  await mkdir(dir, { recursive: true });
  const cameras: string[] = [];
  for (const [i, url] of urls.entries()) {
    const file = path.join(dir, `cam-${i + 1}.conf`);
    await writeFile(file, [`camera_id ${i + 1}`, `netcam_url ${url}`, 'netcam_params rtsp_transport=tcp', 'width 640', 'height 360', ''].join('\n'));
    cameras.push(file);
  }
  const conf = path.join(dir, 'motion.conf');
  await writeFile(conf, [
    'daemon off', 'setup_mode off', 'log_level 4', `target_dir ${dir}`, 'picture_output off', 'movie_output off',
    'snapshot_interval 0', 'stream_port 0', 'webcontrol_port 0', ...cameras.map((f) => `camera ${f}`), '',
  ].join('\n'));
  const child = spawn(bin, ['-n', '-c', conf, '-l', path.join(dir, 'motion.log')], { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', () => {});
  return {
    pid: child.pid ?? -1,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
