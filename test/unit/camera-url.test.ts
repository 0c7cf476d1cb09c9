import t from 'tap';
import { redactUrls, validateRtspUrl } from '../../src/cameras/camera-url.js';

t.test('redacts credentials in any URL inside text', async (t) => {
  t.equal(redactUrls('rtsp://admin:pa55@10.0.0.1:554/s: Connection refused'), 'rtsp://***@10.0.0.1:554/s: Connection refused');
  t.equal(redactUrls('{"url":"rtsps://u@h/x","b":"redis://:pw@127.0.0.1:6379"}'), '{"url":"rtsps://***@h/x","b":"redis://***@127.0.0.1:6379"}');
  t.equal(redactUrls('rtsp://10.0.0.1/s no creds'), 'rtsp://10.0.0.1/s no creds');
});

t.test('accepts rtsp and rtsps with a host', async (t) => {
  t.equal(validateRtspUrl('c', ' rtsp://10.0.0.1/live '), 'rtsp://10.0.0.1/live');
  t.throws(() => validateRtspUrl('c', 42), /missing/);
  t.throws(() => validateRtspUrl('c', 'not a url'), /not a URL/);
});
