// The live feed: one EventSource on /api/live (the browser resends Last-Event-ID after a drop, so
// alerts missed on a weak link are replayed by the server). Handlers get parsed payloads.

export function connectLive({ onAlert, onCamera, onAction, onState }) {
  const es = new EventSource('/api/live');
  const parse = (fn) => (m) => {
    try {
      fn?.(JSON.parse(m.data));
    } catch (err) {
      console.warn('bad live message', err);
    }
  };
  es.addEventListener('alert', parse(onAlert));
  es.addEventListener('camera', parse(onCamera));
  es.addEventListener('action', parse(onAction));
  es.onopen = () => onState?.('live');
  es.onerror = () => onState?.(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return () => es.close();
}
