/**
 * The live feed from /api/events. EventSource reconnects by itself; each connection starts with a
 * full snapshot, so nothing that happened while disconnected is missed.
 */
export function connectLive({ snapshot, logs, clear, status }) {
  const source = new EventSource('/api/events');
  const parse = (handler) => (event) => {
    try {
      handler(JSON.parse(event.data));
    } catch (err) {
      console.error('readme-metrics inspector: bad event', err);
    }
  };
  source.addEventListener('snapshot', parse(snapshot));
  source.addEventListener('logs', parse(logs));
  source.addEventListener('clear', () => clear());
  source.addEventListener('open', () => status('live'));
  source.addEventListener('error', () => status(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  return source;
}
