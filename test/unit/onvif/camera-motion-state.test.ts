import t from 'tap';
import { CameraMotionState } from '../../../src/onvif/camera-motion-state.js';
import type { Notification } from '../../../src/onvif/pull-point-client.js';

const n = (topic: string, item: string, value: string, rule = 'r1', operation = 'Changed'): Notification =>
  ({ topic, operation, source: [{ name: 'Rule', value: rule }], data: [{ name: item, value }] });
const cell = (v: string, rule?: string, op?: string) => n('tns1:RuleEngine/CellMotionDetector/Motion', 'IsMotion', v, rule, op);
const alarm = (v: string) => n('tns1:VideoSource/MotionAlarm', 'State', v, 'vs0');

t.test('active while any source reports motion', async (t) => {
  const s = new CameraMotionState();
  t.equal(s.apply(cell('true')), 'on');
  t.equal(s.apply(alarm('1')), 'on');
  t.equal(s.active, true);
  t.equal(s.apply(cell('false')), 'off');
  t.equal(s.active, true, 'the alarm is still on');
  t.equal(s.apply(alarm('0')), 'off');
  t.equal(s.active, false);
});

t.test('sources are told apart by their Source items; Deleted ends one; other topics are ignored', async (t) => {
  const s = new CameraMotionState();
  s.apply(cell('1', 'a'));
  s.apply(cell('0', 'b'));
  t.equal(s.active, true, "rule b's off does not end rule a");
  t.equal(s.apply(cell('1', 'a', 'Deleted')), 'off');
  t.equal(s.active, false);
  t.equal(s.apply(n('tns1:Device/Trigger/DigitalInput', 'LogicalState', 'true')), null);
  t.equal(s.active, false);
});

t.test('clear() forgets all; a flood of sources stays bounded', async (t) => {
  const s = new CameraMotionState();
  for (let i = 0; i < 1000; i++) s.apply(cell('1', `rule${i}`));
  t.equal(s.active, true);
  for (let i = 968; i < 1000; i++) s.apply(cell('0', `rule${i}`));
  t.equal(s.active, false, 'only the newest 32 were kept');
  s.apply(cell('1'));
  s.clear();
  t.equal(s.active, false);
});
