// JSON schema of the configuration; defaults here are the single source (config/default.yaml mirrors them).

import { motionSettingsSchema } from './motion/motion-settings.js';

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } as const;
const int = (minimum: number, maximum: number, dflt: number) => ({ type: 'integer', minimum, maximum, default: dflt }) as const;
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;
const num = (minimum: number, maximum: number, dflt: number) => ({ type: 'number', minimum, maximum, default: dflt }) as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, default: '0.0.0.0' },
    port: int(0, 65535, 8080),
    publicUrl: { type: ['string', 'null'], pattern: '^https?://', default: null },
    dataDir: { type: 'string', minLength: 1, default: './data' },
    redisUrl: { type: ['string', 'null'], pattern: '^rediss?://', default: null },
    databaseUrl: { type: ['string', 'null'], minLength: 1, default: null },
    /** 32 bytes as base64 or hex: encrypts camera credentials at rest. */
    secretKey: { type: ['string', 'null'], minLength: 1, default: null },
    /** This machine's name in metrics (the `node` label) and logs; null: the host name. */
    nodeId: { type: ['string', 'null'], pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', default: null },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Serve Prometheus metrics at GET /metrics. */
        enabled: { type: 'boolean', default: false },
        /** When set, /metrics answers only `Authorization: Bearer <token>` (env MATTHAN_METRICS_TOKEN). */
        token: { type: ['string', 'null'], pattern: '^[A-Za-z0-9._~+/=-]{16,200}$', default: null },
        /** Queue and outbox counts are read at most this often, however often Prometheus scrapes. */
        cacheMs: int(0, 600000, 5000),
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: ['string', 'null'], pattern: '^(mqtts?|tcp|ssl|wss?)://', default: null },
        embeddedPort: int(0, 65535, 1883),
        topicPrefix: { type: 'string', pattern: '^[^#+/\\s]+(/[^#+/\\s]+)*$', default: 'matthan' },
        clientId: { type: 'string', minLength: 1, maxLength: 64, default: 'mat-than' },
        homeAssistant: { type: 'boolean', default: true },
        discoveryPrefix: { type: 'string', pattern: '^[^#+/\\s]+$', default: 'homeassistant' },
        /** What the embedded broker gives a client without an account: `status` only, or `all` (a closed LAN). */
        anonymous: { enum: ['status', 'all'], default: 'status' },
      },
    },
    queue: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', default: 'matthan-events' },
        concurrency: int(1, 256, 4),
        attempts: int(1, 100, 8),
        /** How long a worker's claim on a job lasts without renewal: a crashed worker's job is retried after it. */
        lockDurationMs: int(1000, 600000, 30000),
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        pretty: { type: ['boolean', 'null'], default: null },
      },
    },
    motion: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        fps: num(0.5, 30, 5),
        // Even sizes: the analysis frames are yuv420p.
        width: { ...int(32, 1280, 320), multipleOf: 2 },
        height: { ...int(18, 720, 180), multipleOf: 2 },
        pixelThreshold: int(1, 255, 10),
        minAreaRatio: num(0.00005, 1, 0.00025),
        minFrames: int(1, 100, 1),
        endAfterSec: num(0.5, 600, 3),
        maxEpisodeSec: num(5, 86400, 120),
        /** An open episode reports a better snapshot when its score grows by this factor... */
        updateScoreFactor: num(1, 100, 1.5),
        /** ...but not more often than this. */
        updateMinIntervalSec: num(0.2, 3600, 2),
      },
    },
    analysis: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Each camera's decode mode unless its motion settings say otherwise (see analysis-mode.ts). */
        mode: { enum: ['patrol', 'full'], default: 'patrol' },
        /** Patrol analyses at most this many keyframes a second (keyframes come one per GOP). */
        patrolFps: num(0.05, 30, 1),
        /** Full drops back to patrol after this long without motion, camera events or an open event. */
        quietSec: num(1, 3600, 10),
        /** A patrol keyframe with motion raises the alert at once; false: full decoding confirms first. */
        alertOnPatrol: { type: 'boolean', default: true },
        /** A full run that gives no judged frame in this time is abandoned (the camera keeps patrolling). */
        swapTimeoutSec: num(2, 600, 15),
        overload: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            sampleSec: num(0.5, 60, 2),
            loopDelayMs: num(10, 10000, 200),
            cpuBusy: num(0.1, 1, 0.95),
            raiseAfter: int(1, 100, 3),
            lowerAfter: int(1, 1000, 15),
          },
        },
      },
    },
    stream: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ffmpegPath: { type: 'string', minLength: 1, default: 'ffmpeg' },
        ffmpegNice: int(0, 19, 10),
        rtspTimeoutSec: int(1, 120, 10),
        watchdogSec: num(1, 600, 20),
        backoffInitialMs: int(10, 600000, 1000),
        backoffMaxMs: int(10, 3600000, 30000),
        snapshotWidth: int(64, 3840, 640),
        thumbnailWidth: int(32, 640, 192),
      },
    },
    cameras: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'rtspUrl'],
        properties: {
          id,
          name: { type: 'string', minLength: 1, maxLength: 200 },
          rtspUrl: { type: 'string', minLength: 1, maxLength: 2048 },
          zone: { ...id, default: 'default' },
          householdId: { type: ['string', 'null'], pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', default: null },
          shareWithOfficers: { type: 'boolean', default: true },
          kind: { enum: ['household', 'public'] },
          motion: motionSettingsSchema,
        },
      },
    },
    onboarding: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Most ONVIF probes (hence requests, one in flight per probe) running at once. */
        concurrency: int(1, 256, 16),
        /** Deadline per ONVIF request while probing. */
        probeTimeoutMs: int(100, 60000, 5000),
        /** WS-Discovery UDP port probed by scans. */
        discoveryPort: int(1, 65535, 3702),
      },
    },
    cameraEvents: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Subscriptions alive at once (one long poll each); keep it at least the number of camera/hybrid cameras. */
        maxSubscriptions: int(1, 10000, 200),
        /** A camera that answers PullMessages at once is asked again no sooner than this. */
        minPollGapMs: int(100, 60000, 1000),
        pullTimeoutSec: int(1, 60, 20),
        requestTimeoutMs: int(100, 60000, 5000),
        backoffInitialMs: int(100, 600000, 2000),
        backoffMaxMs: int(1000, 3600000, 120000),
        /** Motion ON never followed by OFF is ended after this. */
        maxActiveSec: num(1, 86400, 120),
        subscriptionSec: int(10, 86400, 120),
        /** hybrid: how long after a camera event our detector may confirm it. */
        hybridWindowSec: num(1, 600, 10),
      },
    },
    zones: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id,
          name: { type: 'string', minLength: 1, maxLength: 200 },
          /** Absent: always armed. Empty: never armed. */
          armed: { type: 'array', maxItems: 24, items: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: hhmm, to: hhmm } } },
        },
      },
    },
    alerts: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        timezone: { type: 'string', minLength: 1, default: 'Asia/Ho_Chi_Minh' },
        cooldownSec: num(0, 86400, 60),
        incidentWindowSec: num(0, 3600, 30),
        motionOffDelaySec: num(0, 3600, 5),
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Bearer tokens stop working this long after sign-in. */
        tokenTtlHours: int(1, 8760, 12),
        /** Wrong passwords in a row that lock an account... */
        maxFailedLogins: int(1, 100, 5),
        /** ...for this long. */
        lockoutMinutes: int(1, 10080, 15),
        /** Sign-in attempts per client address per minute. */
        loginAttemptsPerMinute: int(1, 1000, 10),
        /** The first admin, created at start while no admin exists, when adminPassword is set (env MATTHAN_ADMIN_PASSWORD). */
        adminUsername: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{1,63}$', default: 'admin' },
        adminPassword: { type: ['string', 'null'], minLength: 10, maxLength: 256, default: null },
      },
    },
    /** Several nodes sharing cameras (roles other than `all`): see docs/architecture.md, "Several nodes". */
    cluster: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Cameras one ingest node watches at most. */
        maxCameras: int(1, 10000, 200),
        /** A dead node's cameras are free after this (its watch locks lapse); renewed every third of it. */
        lockDurationMs: int(1000, 600000, 20000),
        /** How often lapsed watch locks are looked for. */
        stalledIntervalMs: int(500, 600000, 10000),
        /** How often a node says it is alive and re-computes its fair share of cameras. */
        heartbeatMs: int(200, 60000, 5000),
        /** A node silent this long no longer counts towards the fair share. */
        nodeTtlMs: int(1000, 600000, 20000),
        /** Every ingest node compares the watch jobs with the camera registry this often (missed notifications). */
        reconcileMs: int(500, 3600000, 30000),
        /** Port of an ingest/worker node's health listener (GET /healthz); null: none. */
        healthPort: { type: ['integer', 'null'], minimum: 0, maximum: 65535, default: null },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** Snapshots and thumbnails older than this are deleted (cameras may override; legal hold keeps them). */
        snapshotDays: int(1, 36500, 30),
        /** Events older than this are deleted with their images. */
        eventDays: int(1, 36500, 365),
        intervalHours: num(1, 168, 24),
      },
    },
    health: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        offlineGraceSec: num(0, 3600, 15),
        frozenAfterSec: num(1, 3600, 30),
        coveredAfterSec: num(1, 600, 3),
      },
    },
  },
} as const;
