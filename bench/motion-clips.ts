// Labelled synthetic clips for `npm run bench:motion`: scenario definitions and the generator.
// Every clip is drawn by ffmpeg's lavfi filters alone (no shell, no image files), encoded like a
// cheap IP camera (H.264, fixed GOP, no B-frames) and cached under a folder named by a hash of
// everything that shapes it, so reruns reuse it.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const CLIP_W = 640;
export const CLIP_H = 360;
export const CLIP_FPS = 15;
export const CLIP_GOP = 30;
/** Bump when the drawing changes in a way the ffmpeg argv would not show. */
const GENERATOR_VERSION = 1;

export type ObjectKind = 'person' | 'distant-person' | 'car';

/** One labelled object: `onset` is the first instant any of it is visible, `end` the last. */
export interface Label {
  kind: ObjectKind;
  onset: number;
  end: number;
}

/** A labelled object's drawing: a w×h shape moving from (x0, y0) at (vx, vy) px/s while shown. */
export interface MovingObject extends Label {
  w: number;
  h: number;
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  /** 0xRRGGBB */
  color: number;
}

export type Nuisance =
  | { kind: 'none' }
  /** Night scene; lamps (each a glow centred at x, y) switch on and off at the given times. */
  | { kind: 'lights'; lamps: Array<{ x: number; y: number; radius: number; gain: number; on: Array<[number, number]> }> }
  /** Colour collapses to grey with an exposure jump inside each window, and comes back. */
  | { kind: 'ir'; windows: Array<[number, number]> }
  /** Bright short streaks, new every frame, over the whole frame. */
  | { kind: 'rain' }
  /** A leafy dark shape swaying around (x, y) for the whole clip. */
  | { kind: 'branch'; x: number; y: number; w: number; h: number; ampX: number; ampY: number; hz: number }
  /** The whole frame jitters by up to `px` pixels inside each window. */
  | { kind: 'shake'; px: number; windows: Array<[number, number]> }
  /** Packets inside each window get corrupted bytes and some are dropped (decoded by the real decoder). */
  | { kind: 'corrupt'; windows: Array<[number, number]> }
  /** Calibration, not a scenario: the whole frame jumps bright / back at each of `at` (clip seconds). */
  | { kind: 'steps'; at: number[] };

export interface ClipSpec {
  id: string;
  scenario: string;
  seconds: number;
  /** Texture phase; two clips of one scenario look different. */
  seed: number;
  objects: MovingObject[];
  nuisance: Nuisance;
}

export interface Scenario {
  id: string;
  title: string;
  /** Object scenarios count towards recall targets, nuisance ones towards false-alert targets. */
  role: 'object' | 'nuisance' | 'other';
  clips: ClipSpec[];
}

export interface GeneratedClip {
  spec: ClipSpec;
  file: string;
  labelsFile: string;
}

// ---------------------------------------------------------------------------------------------
// Scenario definitions

/** Deterministic PRNG (mulberry32), so the clips (and their cache key) never change by chance. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

interface ObjectStyle {
  kind: ObjectKind;
  w: number;
  h: number;
  /** px/s */
  speed: [number, number];
  /** top of the object, px */
  y: [number, number];
  colors: number[];
  /** Fraction that step out of a doorway mid-frame rather than walk in from an edge. */
  emerge: number;
  /** Fraction that also move towards/away from the camera (vertical drift). */
  diagonal: number;
  /** Seconds shown when not leaving the frame first. */
  show: [number, number];
}

const PERSON: ObjectStyle = {
  kind: 'person', w: 24, h: 64, speed: [25, 120], y: [150, 285],
  // dark clothes, light clothes, mid-grey (low contrast on parts of the yard), blue shirt, red shirt
  colors: [0x1c1c1c, 0xe4e4e4, 0x5a5a5a, 0xb4b4b4, 0x2a4a9a, 0x9a2a2a, 0x303828],
  emerge: 0.3, diagonal: 0.3, show: [3, 6],
};
const DISTANT: ObjectStyle = {
  kind: 'distant-person', w: 8, h: 20, speed: [8, 35], y: [40, 120],
  // moderate contrast only: about ±50 grey levels from the yard's mean
  colors: [0x505050, 0xa8a8a8, 0x44506a, 0xa07050],
  emerge: 0.3, diagonal: 0.2, show: [3, 6],
};
const CAR: ObjectStyle = {
  kind: 'car', w: 140, h: 55, speed: [60, 220], y: [190, 290],
  colors: [0x8a1f1f, 0xd8d8d8, 0x202020, 0x2f4f8f, 0x9a9a9a, 0x6a6a3a],
  emerge: 0, diagonal: 0, show: [30, 30], // cars drive through
};

/** Objects one after another: first onset at `firstAt`, each followed by `quiet` s (+ up to 2 s) of nothing. */
function objectTrack(style: ObjectStyle, count: number, seed: number, firstAt: number, quiet: number): MovingObject[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const between = (lo: number, hi: number) => lo + r() * (hi - lo);
  const out: MovingObject[] = [];
  let t = firstAt;
  for (let i = 0; i < count; i++) {
    const speed = between(...style.speed);
    const dir = r() < 0.5 ? 1 : -1;
    const vx = dir * speed;
    const vy = r() < style.diagonal ? (r() < 0.5 ? -1 : 1) * speed * between(0.15, 0.4) : 0;
    const y0 = Math.round(between(...style.y));
    const emerge = r() < style.emerge;
    // From an edge: the first column of the object is visible at the onset.
    const x0 = emerge ? Math.round(between(80, CLIP_W - 80 - style.w)) : dir > 0 ? 1 - style.w : CLIP_W - 1;
    // Shown until it leaves the frame or `show` seconds, whichever comes first.
    const exitX = dir > 0 ? CLIP_W - x0 : x0 + style.w;
    const exitY = vy > 0 ? (CLIP_H - y0) / vy : vy < 0 ? (y0 + style.h) / -vy : Infinity;
    const shown = Math.min(between(...style.show), exitX / speed, exitY);
    const onset = round2(t);
    const end = round2(t + shown);
    out.push({ kind: style.kind, onset, end, w: style.w, h: style.h, x0, y0, vx: round2(vx), vy: round2(vy), color: pick(style.colors) });
    t = end + quiet + between(0, 2);
  }
  return out;
}

/** Whole seconds that hold `count` objects of a track, plus a tail. */
function trackSeconds(objects: MovingObject[], tail = 6): number {
  return Math.ceil((objects.at(-1)?.end ?? 0) + tail);
}

function objectClip(id: string, scenario: string, style: ObjectStyle, count: number, seed: number): ClipSpec {
  // First onset 8 s in: the RTSP client drops the ~2 s it spends probing the stream, and the
  // detector gets its warm-up after that.
  const objects = objectTrack(style, count, seed, 8, 5);
  return { id, scenario, seconds: trackSeconds(objects), seed, objects, nuisance: { kind: 'none' } };
}

const NUISANCE_SECONDS = 180;

function windows(starts: number[], length: number): Array<[number, number]> {
  return starts.map((s) => [s, s + length]);
}

/**
 * A clip for measuring the ingest delay alone: the whole frame toggles between its normal and a
 * much brighter exposure every 2 s, on the analysis frame grid, so the first analysed frame that
 * shows a toggle arrives exactly the pipeline's delay after the toggle was sent.
 */
export function ingestCalibrationSpec(seconds: number): ClipSpec {
  const at: number[] = [];
  for (let t = 5; t <= seconds - 2; t += 2) at.push(t);
  return { id: 'ingest-cal', scenario: 'ingest-cal', seconds, seed: 11, objects: [], nuisance: { kind: 'steps', at } };
}

export function defaultScenarios(): Scenario[] {
  const n = NUISANCE_SECONDS;
  const nuisance = (id: string, title: string, seed: number, nz: Nuisance, role: Scenario['role'] = 'nuisance'): Scenario => ({
    id, title, role, clips: [{ id: `${id}-1`, scenario: id, seconds: n, seed, objects: [], nuisance: nz }],
  });
  return [
    {
      id: 'person', title: 'person walking (24×64 px)', role: 'object',
      clips: [objectClip('person-1', 'person', PERSON, 11, 101), objectClip('person-2', 'person', PERSON, 11, 102)],
    },
    {
      id: 'distant-person', title: 'small distant person (8×20 px)', role: 'object',
      clips: [objectClip('distant-1', 'distant-person', DISTANT, 11, 201), objectClip('distant-2', 'distant-person', DISTANT, 11, 202)],
    },
    {
      id: 'car', title: 'car (140×55 px)', role: 'object',
      clips: [objectClip('car-1', 'car', CAR, 11, 301), objectClip('car-2', 'car', CAR, 11, 302)],
    },
    nuisance('lights', 'lights switching on/off', 401, {
      kind: 'lights',
      lamps: [
        { x: 120, y: 60, radius: 170, gain: 90, on: [[12, 40], [70, 95], [130, 150], [163, 171]] },
        { x: 520, y: 110, radius: 130, gain: 70, on: [[25, 55], [100, 140], [160, 175]] },
      ],
    }),
    nuisance('ir', 'IR switch to grey (and back)', 501, { kind: 'ir', windows: [[20, 55], [80, 120], [145, 165]] }),
    nuisance('rain', 'rain', 601, { kind: 'rain' }),
    nuisance('branch', 'swaying branch', 701, { kind: 'branch', x: 40, y: 20, w: 130, h: 80, ampX: 14, ampY: 6, hz: 0.6 }),
    nuisance('shake', 'camera shake', 801, { kind: 'shake', px: 4, windows: windows([15, 50, 90, 130, 160], 6) }, 'other'),
    nuisance('corrupt', 'burst of corrupted frames', 901, { kind: 'corrupt', windows: windows([20, 55, 95, 130, 165], 1.5) }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Drawing

const hex = (c: number) => `0x${c.toString(16).padStart(6, '0')}`;
const num = (v: number) => String(round2(v));

/** The yard: a static texture (edges, stripes, a gradient, green/brown colour) drawn once and repeated. */
function backgroundChain(seed: number, w: number, h: number): string {
  const p = seed % 17;
  const lum =
    `clip(118+26*sin((X+${7 * p})/6)*sin(Y/5)+20*sin((X+1.7*Y)/${29 + p})` +
    `+36*(Y/H-0.5)+34*gt(mod(X+${31 * p},97),86)-28*gt(mod(Y+${13 * p},61),55),20,235)`;
  const cb = `clip(120+6*sin(X/${71 - (p % 9)})+6*(Y/H),16,240)`;
  const cr = `clip(128+5*cos(Y/53)+4*sin((X+Y)/${37 + p}),16,240)`;
  return (
    `color=c=gray:s=${w}x${h}:r=${CLIP_FPS},trim=end_frame=1,format=yuv444p,` +
    `geq=lum='${lum}':cb='${cb}':cr='${cr}',format=yuv420p,` +
    `loop=loop=-1:size=1,setpts=N/(${CLIP_FPS}*TB)`
  );
}

function inWindows(ws: Array<[number, number]>): string {
  return ws.map(([a, b]) => `between(t,${num(a)},${num(b)})`).join('+');
}

/** The filtergraph of one clip, ending in [out]. */
export function clipFilterGraph(spec: ClipSpec): string {
  const parts: string[] = [];
  const nz = spec.nuisance;
  const shake = nz.kind === 'shake';
  const margin = shake ? nz.px * 2 + 2 : 0;
  parts.push(`${backgroundChain(spec.seed, CLIP_W + 2 * margin, CLIP_H + 2 * margin)}[bg0]`);
  let cur = 'bg0';
  let n = 0;
  const next = () => `v${++n}`;

  spec.objects.forEach((o, i) => {
    let shape = `color=c=${hex(o.color)}:s=${o.w}x${o.h}:r=${CLIP_FPS}`;
    if (o.kind === 'car') shape += `,drawbox=x=${Math.round(o.w * 0.22)}:y=4:w=${Math.round(o.w * 0.5)}:h=${Math.round(o.h * 0.36)}:color=0x303840:t=fill`;
    else shape += `,drawbox=x=0:y=0:w=${o.w}:h=${Math.max(2, Math.round(o.h * 0.18))}:color=0x8a6a50:t=fill`; // a head
    parts.push(`${shape}[o${i}]`);
    const out = next();
    const x = `${num(o.x0)}+${num(o.vx)}*(t-${num(o.onset)})`;
    const y = `${num(o.y0)}+${num(o.vy)}*(t-${num(o.onset)})`;
    parts.push(`[${cur}][o${i}]overlay=x='${x}':y='${y}':enable='between(t,${num(o.onset)},${num(o.end)})'[${out}]`);
    cur = out;
  });

  switch (nz.kind) {
    case 'lights': {
      // Night: a dim, flat scene; each lamp adds a glow (strong near it, weak far away) while on,
      // and lifts the whole scene a little (light bouncing around).
      let o = next();
      parts.push(`[${cur}]eq=brightness=-0.22:contrast=0.55[${o}]`);
      cur = o;
      nz.lamps.forEach((l, i) => {
        const glow =
          `color=c=black:s=${CLIP_W}x${CLIP_H}:r=${CLIP_FPS},trim=end_frame=1,format=yuv444p,` +
          `geq=lum='${l.gain}*exp(-(pow(X-${l.x},2)+pow(Y-${l.y},2))/${2 * l.radius * l.radius})+${Math.round(l.gain / 5)}':cb=0:cr=0,` +
          `format=yuv420p,loop=loop=-1:size=1,setpts=N/(${CLIP_FPS}*TB)`;
        parts.push(`${glow}[g${i}]`);
        o = next();
        parts.push(`[${cur}][g${i}]blend=all_mode=addition:enable='${inWindows(l.on)}'[${o}]`);
        cur = o;
      });
      break;
    }
    case 'ir': {
      const ir = inWindows(nz.windows);
      const o1 = next();
      parts.push(`[${cur}]hue=s='if(${ir},0,1)'[${o1}]`);
      const o2 = next();
      parts.push(`[${o1}]eq=brightness='if(${ir},0.12,0)':contrast='if(${ir},0.75,1)':eval=frame[${o2}]`);
      const o3 = next();
      parts.push(`[${o2}]noise=c0s=10:c0f=t:enable='${ir}'[${o3}]`); // IR at night is noisier
      cur = o3;
      break;
    }
    case 'rain': {
      // Sparse seeds from a per-frame hash (a new set every frame, ~0.15 % of positions) on a
      // quarter-height field, stretched into 1×4 px streaks and added on top of the scene.
      const hash = `mod(sin(X*12.9898+Y*78.233+(N+${spec.seed})*37.719)*43758.5453,1)`;
      parts.push(
        `color=c=black:s=${CLIP_W}x${CLIP_H / 4}:r=${CLIP_FPS},format=gray,geq=lum='100*lt(${hash},0.005)',` +
          `scale=${CLIP_W}:${CLIP_H}:flags=neighbor,format=yuv420p,lutyuv=u=0:v=0[rain]`,
      );
      const o1 = next();
      parts.push(`[${cur}]eq=brightness=-0.05:contrast=0.8[${o1}]`);
      const o2 = next();
      parts.push(`[${o1}][rain]blend=all_mode=addition[${o2}]`);
      cur = o2;
      break;
    }
    case 'branch': {
      // Leaves: an ellipse with holes in it, dark green, swaying with gusts.
      const a =
        `255*lt(pow((X-W/2)/(W/2),2)+pow((Y-H/2)/(H/2),2),1)*gt(sin(X/3)*sin(Y/2.5)+0.35*sin(X/7+Y/5),-0.3)`;
      parts.push(
        `color=c=0x1e3214:s=${nz.w}x${nz.h}:r=${CLIP_FPS},trim=end_frame=1,format=yuva420p,` +
          `geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='${a}',loop=loop=-1:size=1,setpts=N/(${CLIP_FPS}*TB)[leaves]`,
      );
      const gust = `(0.55+0.45*sin(2*PI*t/23))`;
      const x = `${nz.x}+${nz.ampX}*${gust}*sin(2*PI*${nz.hz}*t)`;
      const y = `${nz.y}+${nz.ampY}*${gust}*sin(2*PI*${nz.hz * 1.7}*t+1)`;
      const o = next();
      parts.push(`[${cur}][leaves]overlay=x='${x}':y='${y}'[${o}]`);
      cur = o;
      break;
    }
    case 'shake': {
      const on = `gt(${inWindows(nz.windows)},0)`;
      const jx = `${margin}+${on}*${nz.px}*(0.6*sin(2*PI*5.3*t)+0.4*sin(2*PI*11.9*t+1))`;
      const jy = `${margin}+${on}*${nz.px}*(0.6*sin(2*PI*4.1*t+2)+0.4*sin(2*PI*9.7*t))`;
      const o = next();
      parts.push(`[${cur}]crop=w=${CLIP_W}:h=${CLIP_H}:x='${jx}':y='${jy}':exact=1[${o}]`);
      cur = o;
      break;
    }
    case 'steps': {
      const bright = nz.at.map((a, i) => (i % 2 === 0 ? `+gte(t,${num(a)})` : `-gte(t,${num(a)})`)).join('');
      const o = next();
      parts.push(`[${cur}]eq=brightness='if(gt(${bright},0),0.45,0)':eval=frame[${o}]`);
      cur = o;
      break;
    }
    case 'none':
    case 'corrupt':
      break;
  }
  // Sensor noise, new every frame, on top of everything.
  parts.push(`[${cur}]noise=c0s=8:c0f=t:c1s=3:c1f=t:c2s=3:c2f=t,format=yuv420p[out]`);
  return parts.join(';');
}

export function encodeArgs(spec: ClipSpec, output: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-filter_complex', clipFilterGraph(spec), '-map', '[out]',
    '-frames:v', String(Math.round(spec.seconds * CLIP_FPS)), '-r', String(CLIP_FPS),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
    '-g', String(CLIP_GOP), '-keyint_min', String(CLIP_GOP), '-sc_threshold', '0', '-bf', '0',
    '-an', output,
  ];
}

/** Bytes changed and every 4th packet dropped inside the windows; Annex B so the damage stays inside NAL units. */
export function corruptArgs(windowsSec: Array<[number, number]>, input: string, output: string): string[] {
  const inside = windowsSec.map(([a, b]) => `between(pts-startpts,${Math.round(a * 90000)},${Math.round(b * 90000)})`).join('+');
  const bsf = `h264_mp4toannexb,noise=amount='if(${inside},1500,0)':drop='gt(${inside},0)*not(mod(n,4))'`;
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', input, '-c', 'copy', '-bsf:v', bsf, '-f', 'mpegts', output];
}

// ---------------------------------------------------------------------------------------------
// Generation with a cache

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
  });
}

export function clipKey(spec: ClipSpec): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: GENERATOR_VERSION, spec, encode: encodeArgs(spec, 'OUT') }));
  if (spec.nuisance.kind === 'corrupt') h.update(JSON.stringify(corruptArgs(spec.nuisance.windows, 'IN', 'OUT')));
  return h.digest('hex').slice(0, 16);
}

export interface LabelsFile {
  clip: string;
  scenario: string;
  seconds: number;
  fps: number;
  width: number;
  height: number;
  labels: Label[];
  nuisance: Nuisance;
}

export function labelsOf(spec: ClipSpec): LabelsFile {
  return {
    clip: spec.id, scenario: spec.scenario, seconds: spec.seconds, fps: CLIP_FPS, width: CLIP_W, height: CLIP_H,
    labels: spec.objects.map((o) => ({ kind: o.kind, onset: o.onset, end: o.end })),
    nuisance: spec.nuisance,
  };
}

async function generateOne(spec: ClipSpec, dir: string): Promise<GeneratedClip> {
  const base = path.join(dir, `${spec.id}-${clipKey(spec)}`);
  const file = `${base}.mkv`;
  const labelsFile = `${base}.json`;
  if (existsSync(file) && existsSync(labelsFile)) return { spec, file, labelsFile };
  const tmp = `${base}.tmp-${process.pid}`;
  try {
    await run('ffmpeg', encodeArgs(spec, `${tmp}.mkv`));
    if (spec.nuisance.kind === 'corrupt') {
      await run('ffmpeg', corruptArgs(spec.nuisance.windows, `${tmp}.mkv`, `${tmp}.ts`));
      await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', `${tmp}.ts`, '-c', 'copy', `${tmp}.2.mkv`]);
      await rename(`${tmp}.2.mkv`, `${tmp}.mkv`);
    }
    await writeFile(labelsFile, JSON.stringify(labelsOf(spec), null, 1) + '\n');
    await rename(`${tmp}.mkv`, file);
  } finally {
    await Promise.all([`${tmp}.mkv`, `${tmp}.ts`, `${tmp}.2.mkv`].map((f) => rm(f, { force: true })));
  }
  return { spec, file, labelsFile };
}

/** Generates (or reuses) every clip, `parallel` ffmpeg encodes at a time. */
export async function generateClips(
  specs: ClipSpec[],
  dir: string,
  opts: { parallel?: number; onProgress?: (id: string, cached: boolean) => void } = {},
): Promise<GeneratedClip[]> {
  await mkdir(dir, { recursive: true });
  const out: GeneratedClip[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const spec = specs[i]!;
      const cached = existsSync(path.join(dir, `${spec.id}-${clipKey(spec)}.mkv`));
      out[i] = await generateOne(spec, dir);
      opts.onProgress?.(spec.id, cached);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 2) }, worker));
  return out;
}

export async function readLabels(file: string): Promise<LabelsFile> {
  return JSON.parse(await readFile(file, 'utf8')) as LabelsFile;
}
