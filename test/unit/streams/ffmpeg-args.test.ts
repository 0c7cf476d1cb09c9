import t from 'tap';
import { buildAnalysisSpec, describeSpec, PROTOCOL_WHITELIST, specToArgv } from '../../../src/streams/ffmpeg-args.js';

const spec = buildAnalysisSpec({
  rtspUrl: 'rtsp://admin:s3cret@10.0.0.9:554/Streaming/Channels/102',
  fps: 5, width: 160, height: 90, rtspTimeoutSec: 10, ffmpegMajor: 5, snapshotWidth: 640,
  imageTarget: 'unix:/tmp/x/full.sock',
});
const argv = specToArgv(spec);

t.test('the protocol whitelist and RTSP options come before the input', async (t) => {
  const input = argv.indexOf('-i');
  t.ok(input > 0);
  t.equal(argv[input + 1], 'rtsp://admin:s3cret@10.0.0.9:554/Streaming/Channels/102');
  const wl = argv.indexOf('-protocol_whitelist');
  t.ok(wl >= 0 && wl < input);
  t.equal(argv[wl + 1], PROTOCOL_WHITELIST);
  t.notMatch(PROTOCOL_WHITELIST, /file|concat|http|subfile|data|pipe/);
  t.equal(argv[argv.indexOf('-rtsp_transport') + 1], 'tcp');
  t.equal(argv[argv.indexOf('-timeout') + 1], '10000000', 'timeout is in microseconds');
  t.equal(argv.filter((a) => a === '-i').length, 1, 'exactly one input');
});

t.test('yuv420p frames of the analysis size on stdout, the same frames raw at snapshot size to the image target', async (t) => {
  t.match(spec.complexFilter, /^\[0:v\]select='isnan\(prev_selected_t\)\+gte\(t-prev_selected_t,0\.1800\)\+lt\(t,prev_selected_t\)',split=2/, 'frames pass as they arrive, one per 0.2 s');
  t.match(spec.complexFilter, /scale=160:90/);
  t.match(spec.complexFilter, /format=yuv420p\[det\]/);
  t.match(spec.complexFilter, /scale='min\(640,iw\)':-2/);
  t.same(argv.slice(argv.indexOf('[det]') - 1, argv.indexOf('pipe:1') + 1), ['-map', '[det]', '-an', '-sn', '-dn', '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-threads', '1', 'pipe:1']);
  t.same(argv.slice(argv.indexOf('[full]') - 1), ['-map', '[full]', '-vsync', 'passthrough', '-f', 'yuv4mpegpipe', '-pix_fmt', 'yuv420p', '-threads', '1', 'unix:/tmp/x/full.sock']);
  t.equal(argv.filter((a) => a === 'passthrough').length, 2, 'no output duplicates frames to a constant rate, so image n is detection frame n');
  t.equal(argv.filter((a) => a === '-threads').length, 3, 'the decoder and both raw outputs run single-threaded');
  t.equal(argv[argv.indexOf('-filter_complex_threads') + 1], '1');
  t.notOk(argv.includes('mjpeg'), 'no JPEG is encoded of every frame');
});

t.test('fractional fps and the description hides credentials', async (t) => {
  const s = buildAnalysisSpec({ rtspUrl: 'rtsp://h/s', fps: 2.5, width: 64, height: 36, rtspTimeoutSec: 1, ffmpegMajor: 4, snapshotWidth: 320, imageTarget: 'unix:/s' });
  t.match(s.complexFilter, /gte\(t-prev_selected_t,0\.3600\)/);
  const old = specToArgv(s);
  t.equal(old[old.indexOf('-stimeout') + 1], '1000000', 'ffmpeg 4 gets its own name for the socket timeout');
  t.notOk(old.includes('-timeout'));
  const d = describeSpec(spec);
  t.notMatch(d, /s3cret/);
  t.match(d, /rtsp:\/\/\*\*\*@10\.0\.0\.9/);
});

t.test('a privacy mask is a second, file-only input laid over every frame before the split', async (t) => {
  const masked = buildAnalysisSpec({
    rtspUrl: 'rtsp://h/s', fps: 5, width: 320, height: 180, rtspTimeoutSec: 5, ffmpegMajor: 5, snapshotWidth: 640,
    imageTarget: 'unix:/s', privacyMaskFile: '/tmp/m/privacy.pam',
  });
  const a = specToArgv(masked);
  t.equal(a.filter((x) => x === '-i').length, 2);
  t.equal(a[a.indexOf('-i') + 1], 'rtsp://h/s', 'the camera is input 0');
  const second = a.lastIndexOf('-i');
  t.equal(a[second + 1], '/tmp/m/privacy.pam');
  t.same(a.slice(second - 4, second), ['-protocol_whitelist', 'file', '-f', 'image2'], 'the mask input may open files only');
  t.equal(a[a.indexOf('-protocol_whitelist') + 1], PROTOCOL_WHITELIST, 'the camera input keeps the network-only whitelist');
  t.match(masked.complexFilter, /^\[0:v\]select='[^']+'\[f\];\[1:v\]format=rgba\[pm\];\[pm\]\[f\]scale2ref=flags=neighbor\[pms\]\[fr\];\[fr\]\[pms\]overlay=eof_action=repeat,split=2\[d\]\[s\];/);
  t.same(spec.extraInputs, [], 'no mask, no second input');
});

t.test('ffmpeg 6 and later get -fps_mode instead of the deprecated -vsync', async (t) => {
  const a = specToArgv(buildAnalysisSpec({ rtspUrl: 'rtsp://h/s', fps: 5, width: 320, height: 180, rtspTimeoutSec: 5, ffmpegMajor: 6, snapshotWidth: 640, imageTarget: 'unix:/s' }));
  t.equal(a.filter((x) => x === '-fps_mode').length, 2);
  t.notOk(a.includes('-vsync'));
});

t.test('patrol: the decoder skips all but keyframes; full decodes every frame', async (t) => {
  const base = {
    rtspUrl: 'rtsp://10.0.0.9/s', fps: 1, width: 160, height: 90, rtspTimeoutSec: 10, ffmpegMajor: 5, snapshotWidth: 640,
    imageTarget: 'unix:/tmp/x/full.sock',
  };
  const patrol = specToArgv(buildAnalysisSpec({ ...base, keyframesOnly: true }));
  const skip = patrol.indexOf('-skip_frame');
  t.ok(skip >= 0 && skip < patrol.indexOf('-i'), 'a decoder option, before the input');
  t.equal(patrol[skip + 1], 'nokey');
  t.notOk(specToArgv(buildAnalysisSpec(base)).includes('-skip_frame'));
  t.notOk(argv.includes('-skip_frame'), 'default: full');
  t.same(patrol.slice(patrol.indexOf('[full]')), argv.slice(argv.indexOf('[full]')), 'patrol and full send the same raw images');
  t.same(patrol.slice(patrol.indexOf('[full]') - 1), ['-map', '[full]', '-vsync', 'passthrough', '-f', 'yuv4mpegpipe', '-pix_fmt', 'yuv420p', '-threads', '1', 'unix:/tmp/x/full.sock'],
    'the raw keyframes (with their size) go to the image channel');
  const listening = specToArgv(buildAnalysisSpec({ ...base, keyframesOnly: true, imageTargetListens: true }));
  t.same(listening.slice(-3), ['-listen', '1', 'unix:/tmp/x/full.sock'], 'ffmpeg listens on the raw-frame socket when Node connects to it');
  const det = specToArgv(buildAnalysisSpec({ ...base, detectionTarget: 'unix:/tmp/x/det.sock' }));
  t.same(det.slice(det.indexOf('[det]') + 10, det.indexOf('[det]') + 14), ['-threads', '1', '-listen', '1'], 'and on the detection socket');
  t.equal(det[det.indexOf('[det]') + 14], 'unix:/tmp/x/det.sock');
  t.notOk(det.includes('pipe:1'), 'nothing on stdout');
});
