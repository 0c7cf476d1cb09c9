import t from 'tap';
import { Y4mSplitter, y4mHeader, Y4M_FRAME, type Y4mFrame } from '../../../src/streams/y4m-reader.js';

const frame = (w: number, h: number, fill: number) => Buffer.alloc(w * h * 1.5, fill);

t.test('cuts frames of the size the header gives, across any chunking', async (t) => {
  const stream = Buffer.concat([
    Buffer.from('YUV4MPEG2 W4 H2 F15:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n'),
    Buffer.from('FRAME\n'), frame(4, 2, 1),
    Buffer.from('FRAME\n'), frame(4, 2, 2),
  ]);
  for (const size of [1, 5, 7, stream.length]) {
    const s = new Y4mSplitter(2);
    const out = [];
    for (let i = 0; i < stream.length; i += size) out.push(...s.push(stream.subarray(i, i + size)));
    t.same(out.map((f) => [f.width, f.height, f.data.length, f.data[0], f.data[11]]), [[4, 2, 12, 1, 1], [4, 2, 12, 2, 2]], `chunks of ${size}`);
  }
});

t.test('a stream written with y4mHeader and Y4M_FRAME (the snapshot encoder\'s input) is one the splitter reads', async (t) => {
  const f = { width: 6, height: 4, data: frame(6, 4, 9) };
  const [back] = new Y4mSplitter(1).push(Buffer.concat([Buffer.from(y4mHeader(6, 4) + Y4M_FRAME, 'latin1'), f.data]));
  t.same([back?.width, back?.height, back?.data.equals(f.data)], [6, 4, true]);
});

t.test('pooled: frames are copied into buffers used in turn, so the caller may reuse its read buffer', async (t) => {
  const header = Buffer.from('YUV4MPEG2 W4 H2 F15:1 Ip A1:1 C420jpeg\n');
  const stream = Buffer.concat([header, ...[1, 2, 3, 4].flatMap((v) => [Buffer.from('FRAME\n'), frame(4, 2, v)])]);
  const s = new Y4mSplitter(3);
  const read = Buffer.alloc(7); // one buffer for every read, as with a socket's onread
  const out: Y4mFrame[] = [];
  for (let i = 0; i < stream.length; i += read.length) {
    const n = stream.copy(read, 0, i, i + read.length);
    out.push(...s.push(read.subarray(0, n)));
    read.fill(0xee); // the next read overwrites it
  }
  t.equal(out.length, 4);
  t.ok(out.every((f) => f.data.buffer !== read.buffer), 'no frame is the read buffer');
  t.same(out.slice(1).map((f) => f.data), [frame(4, 2, 2), frame(4, 2, 3), frame(4, 2, 4)], 'the last pool-size frames are intact');
  t.equal(out[3]!.data, out[0]!.data, 'the fourth frame reuses the first one\'s buffer');
});

t.test('a frame it is told to skip is passed over uncopied, and still handed out (empty) to keep the count', async (t) => {
  const header = Buffer.from('YUV4MPEG2 W4 H2 F15:1 Ip A1:1 C420jpeg\n');
  const stream = Buffer.concat([header, ...[1, 2, 3].flatMap((v) => [Buffer.from('FRAME\n'), frame(4, 2, v)])]);
  for (const size of [1, 5, stream.length]) {
    const asked: number[] = [];
    const s = new Y4mSplitter(2, (n) => { asked.push(n); return n === 2; });
    const out: Y4mFrame[] = [];
    for (let i = 0; i < stream.length; i += size) out.push(...s.push(stream.subarray(i, i + size)));
    t.same(asked, [1, 2, 3], `asked once per frame, as it begins (chunks of ${size})`);
    t.same(out.map((f) => [f.width, f.height, f.data.length, f.data[0]]), [[4, 2, 12, 1], [4, 2, 0, undefined], [4, 2, 12, 3]]);
  }
});

t.test('refuses what it cannot cut', async (t) => {
  t.throws(() => new Y4mSplitter(0), /positive integer/);
  const cut = (b: Buffer) => new Y4mSplitter(1).push(b);
  t.throws(() => cut(Buffer.from('YUV4MPEG2 W4 H2 C444\n')), /not 4:2:0/);
  t.throws(() => cut(Buffer.from('FRAME\n')), /before the stream header/);
  t.throws(() => cut(Buffer.from('YUV4MPEG2 W3 H2\n')), /bad size/);
  t.throws(() => cut(Buffer.alloc(600, 0x41)), /too long/);
});
