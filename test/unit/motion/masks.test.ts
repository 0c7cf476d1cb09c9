import t from 'tap';
import { ANALYSE, IGNORED, PRIVATE, privacyOverlayPam, rasterizeMasks, validateMasks } from '../../../src/motion/masks.js';
import { DEFAULT_MOTION_SETTINGS, sensitivityFactors, validateMotionSettings } from '../../../src/motion/motion-settings.js';
import { gateVerdict } from '../../../src/motion/motion-gate.js';

const square = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];

t.test('masks are validated with a message naming what is wrong', async (t) => {
  t.throws(() => validateMasks('x'), { code: 'VALIDATION_FAILED', message: /must be an array/ });
  t.throws(() => validateMasks([{ kind: 'blur', points: square(0, 0, 1, 1) }]), { message: /mask 0: kind/ });
  t.throws(() => validateMasks([{ kind: 'privacy', points: [[0, 0], [1, 1]] }]), { message: /3 to 64/ });
  t.throws(() => validateMasks([{ kind: 'privacy', points: [[0, 0], [1.5, 0], [1, 1]] }]), { message: /point 1/ });
  t.throws(() => validateMasks([{ kind: 'privacy', points: [[0, 0], [NaN, 0], [1, 1]] }]), { message: /point 1/ });
  t.throws(() => validateMasks(Array.from({ length: 33 }, () => ({ kind: 'ignore', points: square(0, 0, 1, 1) }))), { message: /at most 32/ });
  t.same(validateMasks([{ kind: 'ignore', points: [[0.123456, 0], [1, 0], [1, 1]] }]), [{ kind: 'ignore', points: [[0.1235, 0], [1, 0], [1, 1]] }]);
});

t.test('rasterised masks: inside marked, outside analysed, privacy wins an overlap', async (t) => {
  const m = rasterizeMasks([{ kind: 'ignore', points: square(0, 0, 0.5, 1) }, { kind: 'privacy', points: square(0.25, 0, 0.75, 0.5) }], 8, 4);
  const row = (y: number) => Array.from(m.slice(y * 8, y * 8 + 8));
  t.same(row(0), [IGNORED, IGNORED, PRIVATE, PRIVATE, PRIVATE, PRIVATE, ANALYSE, ANALYSE]);
  t.same(row(3), [IGNORED, IGNORED, IGNORED, IGNORED, ANALYSE, ANALYSE, ANALYSE, ANALYSE]);
  const triangle = rasterizeMasks([{ kind: 'ignore', points: [[0, 0], [1, 0], [0, 1]] }], 10, 10);
  t.equal(triangle[0], IGNORED, 'top-left corner is inside the triangle');
  t.equal(triangle[99], ANALYSE, 'bottom-right corner is not');
});

t.test('the privacy overlay is a PAM image: opaque black where private (grown by a pixel), clear elsewhere', async (t) => {
  t.equal(privacyOverlayPam([{ kind: 'ignore', points: square(0, 0, 1, 1) }]), null, 'ignore zones are not painted');
  const pam = privacyOverlayPam([{ kind: 'privacy', points: square(0, 0, 0.5, 1) }], 20, 10) as Buffer;
  const header = 'P7\nWIDTH 20\nHEIGHT 10\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n';
  t.equal(pam.subarray(0, header.length).toString('ascii'), header);
  const alpha = (x: number, y: number) => pam[header.length + (y * 20 + x) * 4 + 3];
  t.equal(alpha(0, 5), 255);
  t.equal(alpha(9, 5), 255);
  t.equal(alpha(10, 5), 255, 'one pixel of margin on the hidden side');
  t.equal(alpha(12, 5), 0);
  t.equal(pam.subarray(header.length).filter((_, i) => i % 4 !== 3).some((v) => v !== 0), false, 'colour is black');
});

t.test('motion settings: partial updates keep the rest; bad values are named', async (t) => {
  t.same(validateMotionSettings({}), DEFAULT_MOTION_SETTINGS);
  const s = validateMotionSettings({ mode: 'hybrid', masks: [{ kind: 'privacy', points: square(0, 0, 0.2, 0.2) }] });
  t.same(validateMotionSettings({ sensitivity: 8 }, s), { ...s, sensitivity: 8 });
  t.throws(() => validateMotionSettings({ mode: 'magic' }), { message: /mode must be one of server, camera, hybrid/ });
  t.throws(() => validateMotionSettings({ sensitivity: 11 }), { message: /sensitivity/ });
  t.throws(() => validateMotionSettings({ sensitivity: 2.5 }), { message: /sensitivity/ });
  t.throws(() => validateMotionSettings({ colour: 'red' }), { message: /unknown field colour/ });
  t.ok(sensitivityFactors(10).area < 1 && sensitivityFactors(1).area > 1 && sensitivityFactors(5).area === 1);
});

t.test('modes: server trusts our verdict, camera the camera, hybrid needs both within the window', async (t) => {
  const ours = { motion: true, score: 0.01, box: { x: 0, y: 0, w: 0.1, h: 0.1 } };
  const quiet = { motion: false, score: 0, box: null };
  const off = { active: false, lastActiveAt: null };
  const on = { active: true, lastActiveAt: 1000 };
  const recent = { active: false, lastActiveAt: 1000 };
  t.equal(gateVerdict('server', ours, off, 5000, 3000).motion, true);
  t.equal(gateVerdict('camera', ours, off, 5000, 3000).motion, false, 'camera mode ignores our detector');
  t.equal(gateVerdict('camera', quiet, on, 5000, 3000).motion, true, '...and follows the camera');
  t.equal(gateVerdict('hybrid', ours, off, 5000, 3000).motion, false, 'hybrid: no camera event, no alert');
  t.equal(gateVerdict('hybrid', quiet, on, 5000, 3000).motion, false, 'hybrid: the camera alone is not enough');
  t.equal(gateVerdict('hybrid', ours, on, 5000, 3000).motion, true);
  t.equal(gateVerdict('hybrid', ours, recent, 3900, 3000).motion, true, 'inside the window after the camera event');
  t.equal(gateVerdict('hybrid', ours, recent, 4100, 3000).motion, false, 'window closed');
});
