import t from 'tap';
import { excessOver, fairShare } from '../../../src/cluster/fair-share.js';

t.test('an even share, rounded up, never above the cap', async (t) => {
  t.equal(fairShare(30, 3, 200), 10);
  t.equal(fairShare(30, 4, 200), 8, 'a fourth node: 8, 8, 8, 6');
  t.equal(fairShare(30, 2, 200), 15, 'a node died: the two others take 15 each');
  t.equal(fairShare(30, 2, 12), 12, 'capped');
  t.equal(fairShare(0, 3, 200), 0);
  t.equal(fairShare(5, 0, 200), 5, 'no heartbeat seen yet counts as one node');
});

t.test('only what is above the share is handed back', async (t) => {
  t.equal(excessOver(10, 8), 2);
  t.equal(excessOver(6, 8), 0);
  t.equal(excessOver(8, 8), 0);
});
