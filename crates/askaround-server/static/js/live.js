// The live connection: one WebSocket per page to /api/v1/events. It reconnects by itself (after
// a dropped connection or a server restart) and asks for everything after the last event it saw,
// so nothing is missed. Events are re-dispatched by type: live.addEventListener('offer.received').

const PING_EVERY_MS = 25000;
const MAX_BACKOFF_MS = 15000;
// After this many failed attempts in a row, check whether the session itself has ended.
const PROBE_AFTER = 3;

export class Live extends EventTarget {
  constructor(me) {
    super();
    // The last event id is kept per person across pages, so each page resumes where the last
    // one stopped instead of replaying everything.
    this.key = `askaround.lastEvent.${me}`;
    this.last = Number(localStorage.getItem(this.key)) || 0;
    this.failures = 0;
    this.socket = null;
    this.retry = null;
    this.pinger = null;
    this.loadedAt = Date.now();
    this.stopped = false;
  }

  start() {
    this.connect();
    // Waking a laptop or coming back online should not wait for the backoff.
    window.addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    });
    window.addEventListener('pagehide', () => {
      this.stopped = true;
      this.socket?.close(1000, 'page closed');
    });
    // Back to a page kept in the back/forward cache: connect again and catch up.
    window.addEventListener('pageshow', (event) => {
      if (!event.persisted) return;
      this.stopped = false;
      this.reconnectNow();
    });
  }

  /** Whether an event happened since this page loaded (replayed old events are not news). */
  isFresh(frame) {
    return Date.parse(frame.at) >= this.loadedAt - 60000;
  }

  connect() {
    clearTimeout(this.retry);
    const url = new URL('/api/v1/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('after', String(this.last));
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.failures = 0;
      this.setState('live');
      clearInterval(this.pinger);
      this.pinger = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
      }, PING_EVERY_MS);
    });
    socket.addEventListener('message', (message) => this.receive(message.data));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      clearInterval(this.pinger);
      this.socket = null;
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === 'pong' || typeof frame.id !== 'number') return;
    if (frame.id <= this.last) return;
    this.last = frame.id;
    localStorage.setItem(this.key, String(frame.id));
    this.dispatchEvent(new CustomEvent(frame.type, { detail: frame }));
  }

  async scheduleReconnect() {
    this.failures += 1;
    this.setState('reconnecting');
    if (this.failures >= PROBE_AFTER && (await this.sessionEnded())) {
      this.setState('signed-out');
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.failures - 1));
    const jitter = Math.random() * 0.3 * backoff;
    this.retry = setTimeout(() => this.connect(), backoff + jitter);
  }

  reconnectNow() {
    if (!this.socket && !this.stopped) this.connect();
  }

  async sessionEnded() {
    try {
      const answer = await fetch('/api/v1/me', { credentials: 'same-origin' });
      return answer.status === 401;
    } catch {
      return false;
    }
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('connection', { detail: state }));
  }
}
