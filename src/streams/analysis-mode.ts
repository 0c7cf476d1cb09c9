// When a camera's ffmpeg decodes keyframes only (patrol) or every frame (full). Pure: the caller
// passes the time and what it saw; the stream does the process swapping (analysis-swap.ts).
//
// Why patrol exists: decoding every frame of 190 cameras does not fit a small box (measured on
// 2 cores: ~0.019 CPU-s per camera-second fully decoded, ~0.005 keyframes only). A patrol camera
// decodes its keyframes (one every GOP, typically 1–2 s), and is escalated to full decoding the
// moment a keyframe or the camera's own ONVIF event shows motion; it drops back after a quiet spell.

export const ANALYSIS_MODES = ['patrol', 'full'] as const;
export type AnalysisMode = (typeof ANALYSIS_MODES)[number];

export interface AnalysisModeOptions {
  /** The camera's configured mode: `full` never patrols; `patrol` escalates and relaxes. */
  base: AnalysisMode;
  /** Quiet time (no motion on our side or the camera's, no open episode) before full drops back to patrol. */
  quietMs: number;
}

export type ModeChangeReason = 'motion' | 'camera-event' | 'quiet';

export interface ModeChange {
  mode: AnalysisMode;
  reason: ModeChangeReason;
}

export class AnalysisModePolicy {
  readonly #o: AnalysisModeOptions;
  #mode: AnalysisMode;
  #lastActivityAt: number | null = null;
  #cameraActive = false;
  #episodeOpen = false;

  constructor(options: AnalysisModeOptions) {
    this.#o = options;
    this.#mode = options.base;
  }

  /** The mode the camera should be decoding in now. */
  get mode(): AnalysisMode {
    return this.#mode;
  }

  /** A verdict of our detector (from whichever run produced it): motion escalates. */
  detectorMotion(motion: boolean, at: number): ModeChange | null {
    if (!motion) return null;
    this.#lastActivityAt = at;
    return this.#escalate('motion');
  }

  /** The camera's own motion state (ONVIF): on escalates, and keeps full while it lasts. */
  cameraMotion(active: boolean, at: number): ModeChange | null {
    this.#cameraActive = active;
    this.#lastActivityAt = at;
    return active ? this.#escalate('camera-event') : null;
  }

  /** An episode open keeps the camera in full until it ends, however long the quiet inside it. */
  episodeOpen(open: boolean, at: number): void {
    if (this.#episodeOpen && !open) this.#lastActivityAt = at;
    this.#episodeOpen = open;
  }

  /** Called now and then: relaxes to patrol after the quiet time. */
  tick(at: number): ModeChange | null {
    if (this.#mode === 'patrol' || this.#o.base === 'full') return null;
    if (this.#cameraActive || this.#episodeOpen) return null;
    if (this.#lastActivityAt !== null && at - this.#lastActivityAt < this.#o.quietMs) return null;
    this.#mode = 'patrol';
    return { mode: 'patrol', reason: 'quiet' };
  }

  #escalate(reason: ModeChangeReason): ModeChange | null {
    if (this.#mode === 'full') return null;
    this.#mode = 'full';
    return { mode: 'full', reason };
  }
}
