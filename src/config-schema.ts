// JSON schema of the configuration; defaults here are the single source (config/default.yaml mirrors them).

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } as const;
const int = (minimum: number, maximum: number, dflt: number) => ({ type: 'integer', minimum, maximum, default: dflt }) as const;
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
    mqtt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: ['string', 'null'], pattern: '^(mqtts?|tcp|ssl|wss?)://', default: null },
        embeddedPort: int(0, 65535, 1883),
        topicPrefix: { type: 'string', pattern: '^[^#+/\\s]+(/[^#+/\\s]+)*$', default: 'matthan' },
        clientId: { type: 'string', minLength: 1, maxLength: 64, default: 'mat-than' },
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
        width: int(32, 1280, 160),
        height: int(18, 720, 90),
        pixelThreshold: int(1, 255, 20),
        minAreaRatio: num(0.0001, 1, 0.004),
        minFrames: int(1, 100, 2),
        endAfterSec: num(0.5, 600, 3),
        maxEpisodeSec: num(5, 86400, 120),
      },
    },
    stream: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ffmpegPath: { type: 'string', minLength: 1, default: 'ffmpeg' },
        rtspTimeoutSec: int(1, 120, 10),
        watchdogSec: num(1, 600, 20),
        backoffInitialMs: int(10, 600000, 1000),
        backoffMaxMs: int(10, 3600000, 30000),
        snapshotWidth: int(64, 3840, 640),
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
        },
      },
    },
  },
} as const;
