// Pure builder of the ffmpeg command for one camera. Nothing here spawns anything;
// ffmpeg-process.ts turns the spec into a process.

import { redactUrls } from '../cameras/camera-url.js';

/** Only these protocols may be opened for the input: a camera URL can never read files or chain demuxers. */
export const PROTOCOL_WHITELIST = 'rtsp,rtsps,tcp,tls,rtp,udp';

export interface AnalysisSpec {
  rtspUrl: string;
  fps: number;
  width: number;
  height: number;
  rtspTimeoutSec: number;
  /** ffmpeg before 5.0 called the RTSP socket timeout -stimeout (-timeout meant a listen timeout). */
  ffmpegMajor: number;
  snapshotWidth: number;
  /** Where ffmpeg sends the analysed frames at snapshot size, raw (y4m): an ffmpeg output URL such as unix:/run/x.sock. */
  imageTarget: string;
  /** ffmpeg listens on imageTarget (`-listen 1`) and Node connects (raw-frame-channel.ts). */
  imageTargetListens?: boolean;
  /** Where the detection frames go (default stdout); a unix: target is listened on by ffmpeg (`-listen 1`). */
  detectionTarget?: string;
  /** A PAM image (opaque black = private) laid over every frame before anything is analysed or encoded. */
  privacyMaskFile?: string | null;
  /**
   * Patrol: the decoder skips every frame but keyframes (`-skip_frame nokey`), the cheap way to
   * watch a quiet scene; `fps` then caps how many of those keyframes are analysed.
   */
  keyframesOnly?: boolean;
}

/** Inputs after the camera: local files only (the privacy mask). */
export interface FfmpegInput {
  url: string;
  options: string[];
}

export interface FfmpegOutput {
  /** 'stdout' or an ffmpeg output URL. */
  target: string;
  options: string[];
}

export interface FfmpegSpec {
  inputOptions: string[];
  input: string;
  extraInputs: FfmpegInput[];
  globalOptions: string[];
  complexFilter: string;
  outputs: FfmpegOutput[];
}

/** Every RTSP input: only rtsp(s) and what it rides on, over TCP, with a socket timeout (renamed in ffmpeg 5). */
function rtspInput(ffmpegMajor: number, timeoutSec: number): string[] {
  return ['-protocol_whitelist', PROTOCOL_WHITELIST, '-rtsp_transport', 'tcp', ffmpegMajor >= 5 ? '-timeout' : '-stimeout', String(timeoutSec * 1_000_000)];
}

/**
 * One ffmpeg per camera, two outputs from one decode: small yuv420p frames for the detector (the
 * chroma tells day from IR night), and the same frames at snapshot size, raw, so the snapshot of an
 * event shows the moment that triggered it. Privacy masks are painted over first.
 */
export function buildAnalysisSpec(s: AnalysisSpec): FfmpegSpec {
  const mask = s.privacyMaskFile ?? null;
  // `select` passes a frame as soon as it arrives; the `fps` filter holds each one back until it has
  // seen the next (about 0.3 s at 15 fps). Frames at least 0.9 of the interval apart are kept, so a
  // 15 fps camera gives exactly every third frame for 5 fps.
  // A timestamp that jumps back (a camera's clock reset, a stream restarted upstream) passes at once
  // and starts the count afresh: without that no frame passed until time caught up again.
  const gap = ((1 / s.fps) * 0.9).toFixed(4);
  const sample = `select='isnan(prev_selected_t)+gte(t-prev_selected_t,${gap})+lt(t,prev_selected_t)'`;
  // Each kept frame leaves once, as it is (no duplicates to fill a constant rate).
  const passthrough = s.ffmpegMajor >= 6 ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
  // The mask image is one frame: scale2ref fits it to the camera's size, overlay repeats it forever.
  const head = mask === null
    ? `[0:v]${sample},split=2[d][s];`
    : `[0:v]${sample}[f];[1:v]format=rgba[pm];[pm][f]scale2ref=flags=neighbor[pms][fr];` +
      `[fr][pms]overlay=eof_action=repeat,split=2[d][s];`;
  return {
    inputOptions: [
      ...rtspInput(s.ffmpegMajor, s.rtspTimeoutSec),
      // Not `nobuffer`: it throws away the packets read while probing the stream, the keyframe
      // among them, so nothing was decoded until the next keyframe (2.4 s to a first frame on a
      // 2 s GOP, against 1.0 s without it) — on every start, escalation to full decoding included.
      '-fflags', '+discardcorrupt',
      '-analyzeduration', '500000',
      '-probesize', '500000',
      // One thread per ffmpeg: the box runs one process per camera, so parallelism comes from those;
      // per-process thread pools only add memory (a 640×360 camera: 18 threads, 38 MB PSS → 3, 29 MB).
      '-threads', '1',
      ...(s.keyframesOnly === true ? ['-skip_frame', 'nokey'] : []),
    ],
    input: s.rtspUrl,
    extraInputs: mask === null ? [] : [{ url: mask, options: ['-protocol_whitelist', 'file', '-f', 'image2'] }],
    globalOptions: ['-hide_banner', '-nostats', '-loglevel', 'error', '-filter_threads', '1', '-filter_complex_threads', '1'],
    complexFilter: head + `[d]scale=${s.width}:${s.height}:flags=area,format=yuv420p[det];[s]scale='min(${s.snapshotWidth},iw)':-2,format=yuv420p[full]`,
    outputs: [
      // `-threads 1` on every output too: ffmpeg's rawvideo encoder is frame-threaded by default and
      // hands each frame out only when the next one comes in, which in patrol is a whole GOP later.
      { target: s.detectionTarget ?? 'stdout', options: ['-map', '[det]', '-an', '-sn', '-dn', ...passthrough, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-threads', '1', ...(s.detectionTarget === undefined ? [] : ['-listen', '1'])] },
      imageOutput(s, passthrough),
    ],
  };
}

/**
 * The frames at snapshot size go out uncompressed (y4m, which carries the size) instead of as two
 * JPEGs each: the few an event needs are encoded on demand (snapshot-encoder.ts). The encodes were a
 * third of a patrolling ffmpeg's CPU, and a quarter of one decoding in full; copying a raw frame
 * costs next to nothing.
 */
function imageOutput(s: AnalysisSpec, passthrough: string[]): FfmpegOutput {
  const listen = s.imageTargetListens === true ? ['-listen', '1'] : [];
  return { target: s.imageTarget, options: ['-map', '[full]', ...passthrough, '-f', 'yuv4mpegpipe', '-pix_fmt', 'yuv420p', '-threads', '1', ...listen] };
}

export interface FrameGrabSpec {
  rtspUrl: string;
  ffmpegMajor: number;
  rtspTimeoutSec: number;
  /** Frames wider than this are scaled down (the JPEG travels base64 in a JSON answer). */
  maxWidth: number;
}

/** One JPEG of a camera's stream for "test connection": same input safeguards as analysis, one frame out. */
export function buildFrameGrabSpec(s: FrameGrabSpec): FfmpegSpec {
  return {
    inputOptions: [
      ...rtspInput(s.ffmpegMajor, s.rtspTimeoutSec),
      '-analyzeduration', '1000000',
      '-probesize', '1000000',
      '-threads', '1',
    ],
    input: s.rtspUrl,
    extraInputs: [],
    globalOptions: ['-hide_banner', '-nostats', '-loglevel', 'error'],
    complexFilter: `[0:v]scale='min(${s.maxWidth},iw)':-2,format=yuvj420p[grab]`,
    outputs: [{ target: 'stdout', options: ['-map', '[grab]', '-an', '-sn', '-dn', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '5'] }],
  };
}

/** The argv ffmpeg receives, in fluent-ffmpeg's order (inputs, globals, filters, outputs). */
export function specToArgv(spec: FfmpegSpec): string[] {
  return [
    ...spec.inputOptions,
    '-i', spec.input,
    ...spec.extraInputs.flatMap((x) => [...x.options, '-i', x.url]),
    ...spec.globalOptions,
    '-filter_complex', spec.complexFilter,
    ...spec.outputs.flatMap((o) => [...o.options, o.target === 'stdout' ? 'pipe:1' : o.target]),
  ];
}

/** For log lines: the argv with credentials removed. */
export function describeSpec(spec: FfmpegSpec): string {
  return redactUrls(['ffmpeg', ...specToArgv(spec)].join(' '));
}
