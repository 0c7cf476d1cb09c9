// Pure: the officer's alert list as live messages arrive. An event's new/update/end replace its card;
// newest first; a bounded list (a phone keeps the last 50).

export const MAX_ALERTS = 50;

export function applyAlert(alerts, msg) {
  const ev = msg.event;
  const prev = alerts.find((a) => a.event.id === ev.id);
  const card = { ...prev, event: { ...prev?.event, ...ev }, cameraName: msg.cameraName ?? prev?.cameraName, actions: prev?.actions ?? [] };
  const rest = alerts.filter((a) => a.event.id !== ev.id);
  return [card, ...rest].sort((a, b) => (a.event.startedAt < b.event.startedAt ? 1 : -1)).slice(0, MAX_ALERTS);
}

export function applyAction(alerts, action) {
  return alerts.map((a) => (a.event.id === action.eventId ? { ...a, actions: [...a.actions, action] } : a));
}
