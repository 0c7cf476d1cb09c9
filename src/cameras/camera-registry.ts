// The camera registry: cameras from the config file and from the API, in the database, with their
// credentials encrypted. Every change is announced to listeners (main.ts → StreamSupervisor) with
// the runtime CameraConfig — the only place an RTSP URL carries credentials, and only in memory.

import type { ViewScope } from '../auth/viewer.js';
import type { CameraConfig, OnboardingConfig } from '../config.js';
import type { CameraRow, CamerasRepository, NewCameraRow } from '../db/cameras.repository.js';
import { MatThanError, isMatThanError } from '../errors.js';
import type { Logger } from '../logger.js';
import { probeCamera, type ProbeResult } from '../onvif/onvif-client.js';
import { redactUrls, validateRtspUrl } from './camera-url.js';
import {
  applyPatch, editableColumns, emptyRow, isStreamable, motionColumn, newCameraId, probeColumns, probeSummary, rowFromFields, runtimeCamera, splitCredentials,
  statusAfter, type CameraFields, type ProbeSummary,
} from './camera-model.js';
import type { CredentialCipher, Credentials } from './credential-cipher.js';
import { Limiter } from './limiter.js';

export interface OnvifTarget { host: string; port?: number; username?: string; password?: string }
export type NewCameraInput = CameraFields & { id?: string } & (
  | { onvif: OnvifTarget; saveIfUnauthorized?: boolean; rtspUrl?: undefined }
  | { rtspUrl: string; onvif?: undefined }
);
export type { CameraFields, ProbeSummary };
export type CameraPatch = Partial<CameraFields>;

/** What a listener gets: the camera's runtime config, or null when it must not stream (removed, unauthorized…). */
export interface CameraChange { id: string; camera: CameraConfig | null }
export type CameraListener = (change: CameraChange) => Promise<void>;

export interface CameraRegistryDeps {
  repo: CamerasRepository;
  cipher: CredentialCipher;
  logger: Logger;
  onboarding: OnboardingConfig;
}

export class CameraRegistry {
  readonly #d: CameraRegistryDeps;
  readonly #limiter: Limiter;
  readonly #listeners: CameraListener[] = [];
  /** Last runtime config announced per camera, to announce only real changes. */
  readonly #announced = new Map<string, string>();
  /** Writes and their announcements run one at a time, so listeners see them in order. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(deps: CameraRegistryDeps) {
    this.#d = deps;
    this.#limiter = new Limiter(deps.onboarding.concurrency);
  }

  onChange(listener: CameraListener): void {
    this.#listeners.push(listener);
  }

  /** The cameras a viewer's scope covers (all by default). */
  list(scope: ViewScope = { kind: 'all' }): Promise<CameraRow[]> {
    return this.#d.repo.list(scope);
  }

  /** Probes a camera that is not (or not yet) registered, through the same limiter as onboarding; nothing is saved. */
  probeOnly(target: OnvifTarget): Promise<ProbeResult> {
    const creds = target.username !== undefined || target.password !== undefined ? { username: target.username ?? '', password: target.password ?? '' } : null;
    return this.#probe(target.host, target.port ?? 80, creds);
  }

  /** When each of these cameras' newest motion event started (epoch ms); cameras without one are absent. */
  lastMotionAt(ids: readonly string[]): Promise<Map<string, number>> {
    return this.#d.repo.lastMotionAt(ids);
  }

  /** The camera if the scope covers it; CAMERA_NOT_FOUND otherwise, so "not yours" reads like "none". */
  async get(id: string, scope: ViewScope = { kind: 'all' }): Promise<CameraRow> {
    const row = scope.kind === 'all' ? await this.#d.repo.findById(id) : await this.#d.repo.findVisible(id, scope);
    if (!row) throw new MatThanError('CAMERA_NOT_FOUND', id);
    return row;
  }

  /** Config cameras become `config` rows (the file wins over earlier edits); rows of cameras gone from the file go. */
  async seedFromConfig(cameras: readonly CameraConfig[]): Promise<void> {
    const now = Date.now();
    for (const cam of cameras) {
      const { url, credentials } = splitCredentials(cam.rtspUrl);
      const kind = cam.kind ?? 'public';
      await this.#d.repo.upsert({
        ...emptyRow(cam.id, now), name: cam.name, kind, zone: cam.zone, household_id: cam.householdId,
        credentials: credentials && this.#d.cipher.encryptCredentials(credentials, cam.id), rtsp_url: url,
        share_with_officers: cam.shareWithOfficers ? 1 : 0, police_may_view: kind === 'public' ? 1 : 0, source: 'config',
        motion: motionColumn(cam.motion),
      });
    }
    const gone = await this.#d.repo.deleteConfigExcept(cameras.map((c) => c.id));
    if (gone.length > 0) this.#d.logger.info({ cameras: gone }, 'cameras no longer in the config file removed from the registry');
  }

  /** Announces every camera that may stream (after seedFromConfig, once listeners are attached). */
  async start(): Promise<void> {
    for (const row of await this.#d.repo.list()) await this.#serial(() => this.#announce(row));
  }

  /**
   * `unrevealingId`: for callers who do not see every camera (household accounts). They may not name the
   * id (an answer CAMERA_EXISTS would tell them another household's camera exists), and the id chosen
   * for them always carries a random suffix, so it does not show whether the bare slug is taken.
   */
  async add(input: NewCameraInput, o: { unrevealingId?: boolean } = {}): Promise<{ camera: CameraRow; probe: ProbeSummary | null }> {
    if (o.unrevealingId && input.id !== undefined) throw new MatThanError('FORBIDDEN', 'the server chooses the id of a camera registered by a household account');
    const id = input.id ?? await this.#freeId(input.name, o.unrevealingId === true);
    if (await this.#d.repo.findById(id)) throw new MatThanError('CAMERA_EXISTS', id);
    const base = rowFromFields(id, input);
    let row: NewCameraRow;
    let probe: ProbeSummary | null = null;
    if (input.onvif) {
      ({ row, probe } = await this.#onvifRow(base, input.onvif, input.saveIfUnauthorized === true));
    } else {
      const { url, credentials } = splitCredentials(validateRtspUrl(id, input.rtspUrl));
      row = { ...base, rtsp_url: url, credentials: credentials && this.#d.cipher.encryptCredentials(credentials, id), status: 'online' };
    }
    const saved = await this.#serial(async () => {
      if (await this.#d.repo.findById(id)) throw new MatThanError('CAMERA_EXISTS', id);
      await this.#d.repo.insert(row);
      const stored = await this.get(id);
      await this.#announce(stored);
      return stored;
    });
    this.#d.logger.info({ cameraId: id, onvif: row.onvif_host ?? undefined, status: saved.status }, 'camera registered');
    return { camera: saved, probe };
  }

  async update(id: string, patch: CameraPatch): Promise<CameraRow> {
    return this.#serial(async () => {
      const row = await this.#editable(id);
      await this.#d.repo.update(id, { ...editableColumns(applyPatch(row, patch)), updated_at: Date.now() });
      const stored = await this.get(id);
      await this.#announce(stored);
      return stored;
    });
  }

  async remove(id: string): Promise<void> {
    await this.#serial(async () => {
      await this.#editable(id);
      await this.#d.repo.delete(id);
      this.#announced.delete(id);
      await this.#notify({ id, camera: null });
    });
    this.#d.logger.info({ cameraId: id }, 'camera removed');
  }

  /** Runtime configs of every camera that may stream now, by id (ingest nodes reconcile against these). One query. */
  async runtimes(): Promise<Map<string, CameraConfig>> {
    const out = new Map<string, CameraConfig>();
    for (const row of await this.#d.repo.list()) {
      const camera = this.#runtimeOf(row);
      if (camera) out.set(row.id, camera);
    }
    return out;
  }

  /** The runtime config of a camera that may stream now; null when it is gone or must not stream. Announces nothing. */
  async runtime(id: string): Promise<CameraConfig | null> {
    const row = await this.#d.repo.findById(id);
    return row ? this.#runtimeOf(row) : null;
  }

  #runtimeOf(row: CameraRow): CameraConfig | null {
    if (!isStreamable(row)) return null;
    try {
      return runtimeCamera(row, row.credentials === null ? null : this.#d.cipher.decryptCredentials(row.credentials, row.id));
    } catch (err) {
      if (!isMatThanError(err, 'CREDENTIALS_UNREADABLE')) throw err;
      this.#d.logger.error({ cameraId: row.id, code: err.code }, 'camera credentials unreadable (was the secret key changed?); not streaming it');
      return null;
    }
  }

  /** Stream health (first frame / down past the grace time) as the status of a camera that streams; others keep theirs. */
  async markHealth(id: string, online: boolean): Promise<void> {
    await this.#d.repo.setStatusIf(id, ['online', 'offline'], online ? 'online' : 'offline', Date.now());
  }

  /** Reads profiles and URIs again (optionally with new credentials) and records the outcome as the status. */
  async reprobe(id: string, newCreds?: Credentials): Promise<{ camera: CameraRow; probe: ProbeSummary | null; error: MatThanError | null }> {
    const row = await this.#editable(id);
    if (row.onvif_host === null) throw new MatThanError('CAMERA_NOT_ONVIF', id);
    const creds = newCreds ?? (row.credentials === null ? null : this.#d.cipher.decryptCredentials(row.credentials, id));
    let changes: Partial<NewCameraRow>;
    let probe: ProbeSummary | null = null;
    let error: MatThanError | null = null;
    try {
      const result = await this.#probe(row.onvif_host, row.onvif_port ?? 80, creds);
      changes = { ...probeColumns(result), status: 'online', status_detail: null };
      if (newCreds) changes.credentials = this.#d.cipher.encryptCredentials(newCreds, id);
      probe = probeSummary(result);
    } catch (err) {
      // Bad input (credentials the ONVIF client cannot send) is the caller's 400, not the camera's new status.
      if (!isMatThanError(err) || err.code === 'VALIDATION_FAILED') throw err;
      error = err;
      changes = { status: statusAfter(err.code), status_detail: err.message };
    }
    const camera = await this.#serial(async () => {
      await this.#d.repo.update(id, { ...changes, updated_at: Date.now() });
      const stored = await this.get(id);
      await this.#announce(stored);
      return stored;
    });
    return { camera, probe, error };
  }

  /** Probes first: a camera that cannot be read is not saved, unless it only refused the password and the caller asked to keep it. */
  async #onvifRow(base: NewCameraRow, target: OnvifTarget, saveIfUnauthorized: boolean): Promise<{ row: NewCameraRow; probe: ProbeSummary | null }> {
    const creds = target.username !== undefined || target.password !== undefined
      ? { username: target.username ?? '', password: target.password ?? '' } : null;
    const row = { ...base, onvif_host: target.host, onvif_port: target.port ?? 80, credentials: creds && this.#d.cipher.encryptCredentials(creds, base.id) };
    try {
      const result = await this.#probe(row.onvif_host, row.onvif_port, creds);
      return { row: { ...row, ...probeColumns(result), status: 'online' }, probe: probeSummary(result) };
    } catch (err) {
      if (!(saveIfUnauthorized && isMatThanError(err, 'ONVIF_UNAUTHORIZED'))) throw err;
      return { row: { ...row, status: 'unauthorized', status_detail: err.message }, probe: null };
    }
  }

  async #freeId(name: string, alwaysSuffix: boolean): Promise<string> {
    const taken = new Set((await this.#d.repo.list()).map((r) => r.id));
    return newCameraId(name, (id) => taken.has(id), alwaysSuffix);
  }

  #probe(host: string, port: number, creds: Credentials | null): Promise<ProbeResult> {
    return this.#limiter.run(() => probeCamera({
      host, port, username: creds?.username, password: creds?.password,
      timeoutMs: this.#d.onboarding.probeTimeoutMs, logger: this.#d.logger,
    }));
  }

  async #editable(id: string): Promise<CameraRow> {
    const row = await this.get(id);
    if (row.source === 'config') throw new MatThanError('CAMERA_FROM_CONFIG', id);
    return row;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #announce(row: CameraRow): Promise<void> {
    let camera: CameraConfig | null = null;
    if (isStreamable(row)) {
      try {
        camera = runtimeCamera(row, row.credentials === null ? null : this.#d.cipher.decryptCredentials(row.credentials, row.id));
      } catch (err) {
        if (!isMatThanError(err, 'CREDENTIALS_UNREADABLE')) throw err;
        this.#d.logger.error({ cameraId: row.id, code: err.code }, 'camera credentials unreadable (was the secret key changed?); not streaming it');
        await this.#d.repo.update(row.id, { status: 'error', status_detail: err.message });
      }
    }
    const key = camera ? JSON.stringify(camera) : '';
    if ((this.#announced.get(row.id) ?? '') === key) return;
    if (camera) this.#announced.set(row.id, key);
    else this.#announced.delete(row.id);
    await this.#notify({ id: row.id, camera });
  }

  async #notify(change: CameraChange): Promise<void> {
    for (const listener of this.#listeners) {
      try {
        await listener(change);
      } catch (err) {
        this.#d.logger.error({ cameraId: change.id, err: redactUrls((err as Error).message) }, 'camera change listener failed');
      }
    }
  }
}
