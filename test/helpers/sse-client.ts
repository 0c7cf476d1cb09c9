// A minimal EventSource for tests, over real HTTP (fetch): records each event as it arrives.

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  /** Comment lines seen (`: ping`). */
  comments: string[];
  retry: number | null;
  closed: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const client: SseClient = { status: res.status, events: [], comments: [], retry: null, closed: Promise.resolve(), close: () => abort.abort() };
  if (!res.body || res.status !== 200) {
    await res.text().catch(() => undefined);
    return client;
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  client.closed = (async () => {
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          parseBlock(buf.slice(0, end), client);
          buf = buf.slice(end + 2);
        }
      }
    } catch {
      // aborted
    }
  })();
  return client;
}

function parseBlock(block: string, client: SseClient): void {
  const e: SseEvent = { event: 'message', id: null, data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) client.comments.push(line);
    else if (line.startsWith('retry: ')) client.retry = Number(line.slice(7));
    else if (line.startsWith('event: ')) e.event = line.slice(7);
    else if (line.startsWith('id: ')) e.id = line.slice(4);
    else if (line.startsWith('data: ')) { e.data += line.slice(6); hasData = true; }
  }
  if (hasData) client.events.push(e);
}
