import t from 'tap';
import { Y4mSplitter, y4mBytes } from '../../../src/streams/y4m-reader.js';

const frame = (w: number, h: number, fill: number) => Buffer.alloc(w * h * 1.5, fill);

t.test('cuts frames of the size the header gives, across any chunking', async (t) => {
  const stream = Buffer.concat([
    Buffer.from('YUV4MPEG2 W4 H2 F15:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n'),
    Buffer.from('FRAME\n'), frame(4, 2, 1),
    Buffer.from('FRAME\n'), frame(4, 2, 2),
  ]);
  for (const size of [1, 5, 7, stream.length]) {
    const s = new Y4mSplitter();
    const out = [];
    for (let i = 0; i < stream.length; i += size) out.push(...s.push(stream.subarray(i, i + size)));
    t.same(out.map((f) => [f.width, f.height, f.data.length, f.data[0]]), [[4, 2, 12, 1], [4, 2, 12, 2]], `chunks of ${size}`);
  }
});

t.test('y4mBytes gives back a stream the splitter reads', async (t) => {
  const f = { width: 6, height: 4, data: frame(6, 4, 9) };
  const [back] = new Y4mSplitter().push(y4mBytes(f));
  t.same([back?.width, back?.height, back?.data.equals(f.data)], [6, 4, true]);
});

t.test('refuses what it cannot cut', async (t) => {
  t.throws(() => new Y4mSplitter().push(Buffer.from('YUV4MPEG2 W4 H2 C444\n')), /not 4:2:0/);
  t.throws(() => new Y4mSplitter().push(Buffer.from('FRAME\n')), /before the stream header/);
  t.throws(() => new Y4mSplitter().push(Buffer.from('YUV4MPEG2 W3 H2\n')), /bad size/);
  t.throws(() => new Y4mSplitter().push(Buffer.alloc(600, 0x41)), /too long/);
});
