// One registry of error codes, shared by HTTP answers, job results and logs.
// Codes are stable API: clients and operators match on them, never on messages.

export const ErrorCodes = {
  CONFIG_INVALID: { status: 500, message: 'Configuration is invalid' },
  CAMERA_URL_INVALID: { status: 400, message: 'Camera URL is not an allowed RTSP URL' },
  REDIS_BINARY_MISSING: { status: 500, message: 'redis-server is not installed' },
  REDIS_START_FAILED: { status: 500, message: 'The embedded redis-server did not start' },
  REDIS_UNREACHABLE: { status: 503, message: 'Redis does not answer' },
  FFMPEG_MISSING: { status: 500, message: 'ffmpeg is not installed' },
  DATABASE_URL_UNSUPPORTED: { status: 500, message: 'DATABASE_URL scheme is not supported' },
  EVENT_NOT_FOUND: { status: 404, message: 'Event not found' },
  SNAPSHOT_NOT_FOUND: { status: 404, message: 'Snapshot not found' },
  EVENT_NOT_READY: { status: 409, message: 'Event has not been created yet' },
  MQTT_NOT_CONNECTED: { status: 503, message: 'MQTT broker is not connected' },
  VALIDATION_FAILED: { status: 400, message: 'Request is invalid' },
  BAD_REQUEST: { status: 400, message: 'Request cannot be handled' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Request body type is not supported' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  // ONVIF onboarding. 502 = the camera or the path to it failed; 422 = the camera answered, but
  // what it answered (or the credentials given for it) cannot be used — the operator must act.
  ONVIF_UNREACHABLE: { status: 502, message: 'ONVIF device is unreachable' },
  ONVIF_UNAUTHORIZED: { status: 422, message: 'ONVIF device rejected the credentials' },
  ONVIF_NOT_ONVIF: { status: 422, message: 'Device does not speak ONVIF' },
  ONVIF_NO_H264: { status: 422, message: 'ONVIF device offers no H.264 profile' },
  ONVIF_CLOCK_SKEW: { status: 422, message: 'ONVIF authentication failed and the device clock is off' },
  ONVIF_FAULT: { status: 502, message: 'ONVIF device returned a SOAP fault' },
  ONVIF_REPLY_TOO_LARGE: { status: 502, message: 'ONVIF device reply is too large' },
  // Camera-side motion (PullPoint events): the camera has no usable event service / forgot our subscription.
  ONVIF_EVENTS_UNSUPPORTED: { status: 422, message: 'ONVIF device offers no PullPoint event service' },
  ONVIF_SUBSCRIPTION_LOST: { status: 502, message: 'ONVIF event subscription was lost' },
  ONVIF_DISCOVERY_TARGET_INVALID: { status: 400, message: 'Discovery target is invalid' },
  ONVIF_DISCOVERY_FAILED: { status: 500, message: 'ONVIF discovery could not run' },
  // Camera registry.
  SECRET_KEY_MISSING: { status: 500, message: 'No secret key configured (secretKey / MATTHAN_SECRET_KEY) to encrypt camera credentials' },
  SECRET_KEY_INVALID: { status: 500, message: 'Secret key must be 32 bytes, as base64 or hex' },
  CREDENTIALS_UNREADABLE: { status: 500, message: 'Stored camera credentials cannot be decrypted (wrong key or tampered)' },
  CAMERA_NOT_FOUND: { status: 404, message: 'Camera not found' },
  CAMERA_EXISTS: { status: 409, message: 'A camera with this id already exists' },
  CAMERA_FROM_CONFIG: { status: 409, message: 'Camera is defined in the configuration file; change it there' },
  CAMERA_NOT_ONVIF: { status: 409, message: 'Camera was not registered through ONVIF' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class MatThanError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = ErrorCodes[code].message;
    super(detail ? `${base}: ${detail}` : base, options);
    this.name = 'MatThanError';
    this.code = code;
    this.statusCode = ErrorCodes[code].status;
  }
}

export function isMatThanError(err: unknown, code?: ErrorCode): err is MatThanError {
  return err instanceof MatThanError && (code === undefined || err.code === code);
}
