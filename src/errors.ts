// One registry of error codes, shared by HTTP answers, job results and logs.
// Codes are stable API: clients and operators match on them, never on messages. Each code carries its
// message in English and in Vietnamese; HTTP answers pick one by Accept-Language.

export const ErrorCodes = {
  CONFIG_INVALID: { status: 500, message: 'Configuration is invalid', vi: 'Cấu hình không hợp lệ' },
  CAMERA_URL_INVALID: { status: 400, message: 'Camera URL is not an allowed RTSP URL', vi: 'Địa chỉ camera không phải địa chỉ RTSP được phép' },
  REDIS_BINARY_MISSING: { status: 500, message: 'redis-server is not installed', vi: 'Chưa cài đặt redis-server' },
  REDIS_START_FAILED: { status: 500, message: 'The embedded redis-server did not start', vi: 'redis-server nhúng không khởi động được' },
  REDIS_UNREACHABLE: { status: 503, message: 'Redis does not answer', vi: 'Redis không trả lời' },
  FFMPEG_MISSING: { status: 500, message: 'ffmpeg is not installed', vi: 'Chưa cài đặt ffmpeg' },
  DATABASE_URL_UNSUPPORTED: { status: 500, message: 'DATABASE_URL scheme is not supported', vi: 'Không hỗ trợ kiểu DATABASE_URL này' },
  EVENT_NOT_FOUND: { status: 404, message: 'Event not found', vi: 'Không tìm thấy sự kiện' },
  SNAPSHOT_NOT_FOUND: { status: 404, message: 'Snapshot not found', vi: 'Không tìm thấy ảnh chụp' },
  EVENT_NOT_READY: { status: 409, message: 'Event has not been created yet', vi: 'Sự kiện chưa được tạo' },
  MQTT_NOT_CONNECTED: { status: 503, message: 'MQTT broker is not connected', vi: 'Chưa kết nối được với MQTT broker' },
  VALIDATION_FAILED: { status: 400, message: 'Request is invalid', vi: 'Yêu cầu không hợp lệ' },
  BAD_REQUEST: { status: 400, message: 'Request cannot be handled', vi: 'Không xử lý được yêu cầu' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large', vi: 'Nội dung yêu cầu quá lớn' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Request body type is not supported', vi: 'Không hỗ trợ kiểu nội dung này' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route', vi: 'Không có đường dẫn này' },
  // ONVIF onboarding. 502 = the camera or the path to it failed; 422 = the camera answered, but
  // what it answered (or the credentials given for it) cannot be used — the operator must act.
  ONVIF_UNREACHABLE: { status: 502, message: 'ONVIF device is unreachable', vi: 'Không kết nối được thiết bị ONVIF' },
  ONVIF_UNAUTHORIZED: { status: 422, message: 'ONVIF device rejected the credentials', vi: 'Thiết bị ONVIF từ chối tên đăng nhập hoặc mật khẩu' },
  ONVIF_NOT_ONVIF: { status: 422, message: 'Device does not speak ONVIF', vi: 'Thiết bị không hỗ trợ ONVIF' },
  ONVIF_NO_H264: { status: 422, message: 'ONVIF device offers no H.264 profile', vi: 'Thiết bị ONVIF không có luồng H.264' },
  ONVIF_CLOCK_SKEW: { status: 422, message: 'ONVIF authentication failed and the device clock is off', vi: 'Xác thực ONVIF thất bại và đồng hồ thiết bị bị lệch' },
  ONVIF_FAULT: { status: 502, message: 'ONVIF device returned a SOAP fault', vi: 'Thiết bị ONVIF báo lỗi SOAP' },
  ONVIF_REPLY_TOO_LARGE: { status: 502, message: 'ONVIF device reply is too large', vi: 'Phản hồi của thiết bị ONVIF quá lớn' },
  // Camera-side motion (PullPoint events): the camera has no usable event service / forgot our subscription.
  ONVIF_EVENTS_UNSUPPORTED: { status: 422, message: 'ONVIF device offers no PullPoint event service', vi: 'Thiết bị ONVIF không có dịch vụ sự kiện PullPoint' },
  ONVIF_SUBSCRIPTION_LOST: { status: 502, message: 'ONVIF event subscription was lost', vi: 'Mất đăng ký sự kiện ONVIF' },
  ONVIF_DISCOVERY_TARGET_INVALID: { status: 400, message: 'Discovery target is invalid', vi: 'Địa chỉ dò tìm không hợp lệ' },
  ONVIF_DISCOVERY_FAILED: { status: 500, message: 'ONVIF discovery could not run', vi: 'Không chạy được dò tìm ONVIF' },
  // Camera registry.
  SECRET_KEY_MISSING: { status: 500, message: 'No secret key configured (secretKey / MATTHAN_SECRET_KEY) to encrypt camera credentials', vi: 'Chưa cấu hình khoá bí mật (secretKey / MATTHAN_SECRET_KEY) để mã hoá mật khẩu camera' },
  SECRET_KEY_INVALID: { status: 500, message: 'Secret key must be 32 bytes, as base64 or hex', vi: 'Khoá bí mật phải dài 32 byte, dạng base64 hoặc hex' },
  CREDENTIALS_UNREADABLE: { status: 500, message: 'Stored camera credentials cannot be decrypted (wrong key or tampered)', vi: 'Không giải mã được mật khẩu camera đã lưu (sai khoá hoặc bị sửa)' },
  CAMERA_NOT_FOUND: { status: 404, message: 'Camera not found', vi: 'Không tìm thấy camera' },
  CAMERA_EXISTS: { status: 409, message: 'A camera with this id already exists', vi: 'Đã có camera với mã này' },
  CAMERA_FROM_CONFIG: { status: 409, message: 'Camera is defined in the configuration file; change it there', vi: 'Camera được khai báo trong tệp cấu hình; hãy sửa ở đó' },
  CAMERA_NOT_ONVIF: { status: 409, message: 'Camera was not registered through ONVIF', vi: 'Camera không được đăng ký qua ONVIF' },
  // Test connection (POST /api/cameras/test): one frame of the stream, nothing saved.
  CAMERA_TEST_UNREACHABLE: { status: 502, message: 'Camera stream is unreachable', vi: 'Không kết nối được luồng video của camera' },
  CAMERA_TEST_UNAUTHORIZED: { status: 422, message: 'Camera stream rejected the credentials', vi: 'Luồng video của camera từ chối tên đăng nhập hoặc mật khẩu' },
  CAMERA_TEST_NOT_A_CAMERA: { status: 422, message: 'No video stream at this address', vi: 'Địa chỉ này không có luồng video' },
  CAMERA_TEST_RATE_LIMITED: { status: 429, message: 'Too many connection tests; try again in a minute', vi: 'Thử kết nối quá nhiều lần; hãy thử lại sau một phút' },
  // Accounts, access and audit. 401 = who you are is unknown; 403 = known, but not allowed.
  UNAUTHENTICATED: { status: 401, message: 'Sign in first (Authorization: Bearer <token>)', vi: 'Hãy đăng nhập trước (Authorization: Bearer <token>)' },
  LOGIN_FAILED: { status: 401, message: 'Wrong username or password', vi: 'Sai tên đăng nhập hoặc mật khẩu' },
  LOGIN_LOCKED: { status: 429, message: 'Too many failed sign-ins; try again later', vi: 'Đăng nhập sai quá nhiều lần; hãy thử lại sau' },
  LOGIN_RATE_LIMITED: { status: 429, message: 'Too many sign-in attempts from this address; try again later', vi: 'Quá nhiều lần đăng nhập từ địa chỉ này; hãy thử lại sau' },
  FORBIDDEN: { status: 403, message: 'Your account may not do this', vi: 'Tài khoản của bạn không được phép làm việc này' },
  CSRF_HEADER_MISSING: { status: 403, message: 'A change signed in by cookie must carry the header x-matthan-request: 1', vi: 'Thao tác đăng nhập bằng cookie phải có tiêu đề x-matthan-request: 1' },
  REASON_REQUIRED: { status: 400, message: 'Police queries must give a reason (a case reference) in the reason query parameter', vi: 'Truy vấn của công an phải ghi lý do (số hồ sơ vụ việc) trong tham số reason' },
  CURSOR_INVALID: { status: 400, message: 'Cursor is invalid; use the nextCursor of a previous page', vi: 'Con trỏ trang không hợp lệ; hãy dùng nextCursor của trang trước' },
  USER_EXISTS: { status: 409, message: 'A user with this name already exists', vi: 'Đã có người dùng với tên này' },
  USER_NOT_FOUND: { status: 404, message: 'User not found', vi: 'Không tìm thấy người dùng' },
  PASSWORD_WEAK: { status: 400, message: 'Password must be 10 to 256 characters', vi: 'Mật khẩu phải dài từ 10 đến 256 ký tự' },
  AUDIT_WRITE_FAILED: { status: 500, message: 'The audit log could not be written; nothing was answered', vi: 'Không ghi được nhật ký truy cập; yêu cầu không được trả lời' },
  INTERNAL: { status: 500, message: 'Internal error', vi: 'Lỗi nội bộ' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;
export type Language = 'en' | 'vi';

export class MatThanError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** What the caller should know beyond the code's message (kept apart so the message can be translated). */
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const base = ErrorCodes[code].message;
    super(detail ? `${base}: ${detail}` : base, options);
    this.name = 'MatThanError';
    this.code = code;
    this.statusCode = ErrorCodes[code].status;
    this.detail = detail;
  }
}

export function isMatThanError(err: unknown, code?: ErrorCode): err is MatThanError {
  return err instanceof MatThanError && (code === undefined || err.code === code);
}

/** The code's message in the language asked for, followed by the detail (which stays as written). */
export function errorMessage(code: ErrorCode, lang: Language, detail?: string): string {
  const base = lang === 'vi' ? ErrorCodes[code].vi : ErrorCodes[code].message;
  return detail ? `${base}: ${detail}` : base;
}

/** Vietnamese when the Accept-Language header ranks it above English (or names only it). */
export function languageFrom(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'en';
  let best: { lang: Language; q: number } = { lang: 'en', q: -1 };
  for (const part of acceptLanguage.split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const lang = tag === 'vi' || tag.startsWith('vi-') ? 'vi' : tag === 'en' || tag.startsWith('en-') ? 'en' : null;
    if (lang === null) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (Number.isFinite(q) && q > best.q) best = { lang, q };
  }
  return best.lang;
}
