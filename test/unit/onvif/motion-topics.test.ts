import t from 'tap';
import { matchMotionTopic, motionState, parseMotionValue } from '../../../src/onvif/motion-topics.js';

const item = (name: string, value: string) => [{ name, value }];

t.test('the three motion topics, with any namespace prefixes or none', async (t) => {
  for (const topic of ['tns1:VideoSource/MotionAlarm', 'VideoSource/MotionAlarm', 'tns1:VideoSource/tns1:MotionAlarm', ' ns2:VideoSource/MotionAlarm ']) {
    t.equal(motionState(topic, item('State', 'true')), true, topic);
    t.equal(motionState(topic, item('State', 'false')), false, topic);
  }
  for (const topic of ['tns1:RuleEngine/CellMotionDetector/Motion', 'RuleEngine/CellMotionDetector/Motion', 'tnsaxis:RuleEngine/CellMotionDetector/Motion']) {
    t.equal(motionState(topic, item('IsMotion', '1')), true, topic);
    t.equal(motionState(topic, item('IsMotion', '0')), false, topic);
  }
  for (const topic of ['tns1:RuleEngine/MotionRegionDetector/Motion', 'RuleEngine/MotionRegionDetector/Motion']) {
    t.equal(motionState(topic, item('State', 'True')), true, topic);
    t.equal(motionState(topic, item('State', 'FALSE')), false, topic);
  }
});

t.test('suffix match: a vendor root in front still matches, a longer or different tail does not', async (t) => {
  t.equal(matchMotionTopic('tnsvendor:Vendor/tns1:VideoSource/MotionAlarm')?.topic, 'VideoSource/MotionAlarm');
  t.equal(matchMotionTopic('tns1:VideoSource/MotionAlarm/Extra'), null);
  t.equal(matchMotionTopic('tns1:VideoSource/GlobalSceneChange/ImagingService'), null);
  t.equal(matchMotionTopic('tns1:RuleEngine/CellMotionDetector'), null);
  t.equal(matchMotionTopic('MotionAlarm'), null, 'the last segment alone is not enough');
  t.equal(matchMotionTopic('tns1:Device/Trigger/DigitalInput'), null);
  t.equal(matchMotionTopic(`${'a/'.repeat(400)}VideoSource/MotionAlarm`), null, 'absurdly long topics are ignored');
});

t.test('not a motion topic → null, whatever the data', async (t) => {
  t.equal(motionState('tns1:Device/Trigger/DigitalInput', item('LogicalState', 'true')), null);
  t.equal(motionState('', item('State', 'true')), null);
});

t.test('each topic reads its own item; a missing item or unreadable value is ignored (null)', async (t) => {
  t.equal(motionState('tns1:RuleEngine/CellMotionDetector/Motion', item('State', 'true')), null, 'cell motion uses IsMotion');
  t.equal(motionState('tns1:VideoSource/MotionAlarm', item('IsMotion', 'true')), null, 'motion alarm uses State');
  t.equal(motionState('tns1:VideoSource/MotionAlarm', []), null);
  t.equal(motionState('tns1:VideoSource/MotionAlarm', item('State', 'maybe')), null);
  t.equal(motionState('tns1:VideoSource/MotionAlarm', [{ name: 'Other', value: 'x' }, { name: 'State', value: ' 1 ' }]), true, 'item found among others, value trimmed');
});

t.test('values', async (t) => {
  t.same(['1', 'true', 'True', 'TRUE', '0', 'false', 'False', '', '2', 'yes'].map(parseMotionValue),
    [true, true, true, true, false, false, false, null, null, null]);
});
