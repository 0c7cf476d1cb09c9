import t from 'tap';
import { FixedFrameSplitter, JpegSplitter } from '../../../src/streams/frame-reader.js';

t.test('fixed frames from arbitrary chunking', async (t) => {
  const data = Buffer.from(Array.from({ length: 50 }, (_, i) => i));
  for (const chunk of [1, 3, 7, 10, 13, 50]) {
    const s = new FixedFrameSplitter(10);
    const frames: Buffer[] = [];
    for (let o = 0; o < data.length; o += chunk) s.push(data.subarray(o, o + chunk), (f) => frames.push(Buffer.from(f)));
    t.equal(frames.length, 5, `chunk ${chunk}`);
    t.same(Buffer.concat(frames), data);
  }
  t.throws(() => new FixedFrameSplitter(0));
});

t.test('frames are lent: whole ones are views of the chunk, straddling ones share one assembly buffer', async (t) => {
  const s = new FixedFrameSplitter(4);
  const chunk = Buffer.from([1, 2, 3, 4, 5, 6]);
  const lent: Buffer[] = [];
  const seen: number[][] = [];
  const use = (f: Buffer) => {
    lent.push(f);
    seen.push([...f]);
  };
  s.push(chunk, use);
  t.equal(lent[0]?.buffer, chunk.buffer, 'a frame inside the chunk is not copied');
  s.push(Buffer.from([7, 8, 9, 10, 11]), use);
  s.push(Buffer.from([12, 13, 14]), use);
  t.same(seen, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
  t.equal(lent[1], lent[2], 'both straddling frames were assembled in the same buffer');
});

const jpeg = (body: number[]) => Buffer.from([0xff, 0xd8, ...body, 0xff, 0xd9]);

t.test('JPEGs are split at EOI, across chunk boundaries, ignoring stuffed bytes', async (t) => {
  const a = jpeg([1, 0xff, 0x00, 2]);
  const b = jpeg([3, 4, 5]);
  const stream = Buffer.concat([Buffer.from([7, 7]), a, b]);
  for (let cut = 1; cut < stream.length; cut++) {
    const s = new JpegSplitter();
    const out = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
    t.same(out, [a, b], `cut at ${cut}`);
  }
});

t.test('an image that never ends is dropped at the size cap', async (t) => {
  const s = new JpegSplitter(16);
  t.same(s.push(Buffer.from([0xff, 0xd8, ...Array(20).fill(1)])), []);
  const next = jpeg([1]);
  t.same(s.push(next), [next], 'the next image still comes through');
});
