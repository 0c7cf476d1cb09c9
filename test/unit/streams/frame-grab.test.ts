import t from 'tap';
import { buildFrameGrabSpec, specToArgv } from '../../../src/streams/ffmpeg-args.js';
import { classifyGrabFailure, jpegSize } from '../../../src/streams/frame-grab-result.js';

/** SOI, an APP0 segment, then SOF0 with the given size (enough header for jpegSize). */
function jpegHeader(width: number, height: number, sof = 0xc0): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sofSeg = Buffer.from([0xff, sof, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sofSeg, Buffer.from([0xff, 0xd9])]);
}

t.test('jpegSize reads the frame header (baseline and progressive), null for anything else', async (t) => {
  t.same(jpegSize(jpegHeader(640, 360)), { width: 640, height: 360 });
  t.same(jpegSize(jpegHeader(1920, 1080, 0xc2)), { width: 1920, height: 1080 });
  t.equal(jpegSize(Buffer.from('not a jpeg at all, clearly')), null);
  t.equal(jpegSize(Buffer.from([0xff, 0xd8, 0xff])), null);
  t.equal(jpegSize(Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(20, 0x41)])), null);
});

t.test('a failed grab becomes unreachable, unauthorized or not-a-camera, never ffmpeg\'s text', async (t) => {
  t.match(classifyGrabFailure(['[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized', 'rtsp://u:secret@h/x: Server returned 401 Unauthorized'], false), { code: 'CAMERA_TEST_UNAUTHORIZED' });
  t.match(classifyGrabFailure(['rtsp://u:secret@127.0.0.1:9/x: Connection refused'], false), { code: 'CAMERA_TEST_UNREACHABLE' });
  t.match(classifyGrabFailure([], true), { code: 'CAMERA_TEST_UNREACHABLE' });
  t.match(classifyGrabFailure(['[tcp @ 0x55d401c2c0] Connection to tcp://127.0.0.1:9?timeout=15000000 failed: Connection refused'], false),
    { code: 'CAMERA_TEST_UNREACHABLE' }, 'a 401 inside a log prefix\'s address is not a status');
  t.match(classifyGrabFailure(['[rtsp @ 0x5404a0] Could not find codec parameters'], false), { code: 'CAMERA_TEST_NOT_A_CAMERA' });
  t.match(classifyGrabFailure(['rtsp://127.0.0.1:401/x: Connection refused'], false), { code: 'CAMERA_TEST_UNREACHABLE' }, 'nor one in a URL');
  t.match(classifyGrabFailure(['method DESCRIBE failed: 404 Not Found'], false), { code: 'CAMERA_TEST_NOT_A_CAMERA' });
  t.match(classifyGrabFailure(['something odd'], false), { code: 'CAMERA_TEST_NOT_A_CAMERA' });
  for (const r of [classifyGrabFailure(['rtsp://u:secret@h/x: 401 Unauthorized'], false), classifyGrabFailure(['rtsp://u:secret@h/x: Connection refused'], false)]) {
    t.notMatch(r.detail, /secret|rtsp/);
  }
});

t.test('the grab argv: rtsp-only whitelist, tcp, a socket timeout, one scaled JPEG to stdout', async (t) => {
  const argv = specToArgv(buildFrameGrabSpec({ rtspUrl: 'rtsp://127.0.0.1:8554/gate', ffmpegMajor: 6, rtspTimeoutSec: 15, maxWidth: 1280 }));
  t.same(argv.slice(0, 6), ['-protocol_whitelist', 'rtsp,rtsps,tcp,tls,rtp,udp', '-rtsp_transport', 'tcp', '-timeout', '15000000']);
  t.ok(argv.includes('-frames:v') && argv[argv.indexOf('-frames:v') + 1] === '1');
  t.equal(argv.at(-1), 'pipe:1');
  t.ok(argv.some((a) => a.includes("scale='min(1280,iw)'")));
  t.ok(specToArgv(buildFrameGrabSpec({ rtspUrl: 'rtsp://h/x', ffmpegMajor: 4, rtspTimeoutSec: 5, maxWidth: 640 })).includes('-stimeout'), 'ffmpeg 4 names it -stimeout');
});
