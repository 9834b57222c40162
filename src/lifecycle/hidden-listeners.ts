import { EventEmitter } from 'node:events';

/**
 * Listeners of ours on `process` that other code must not count. Libraries such as signal-exit decide
 * whether to re-raise a signal by counting its listeners: if they counted ours they would leave the
 * process running, and so would we (we see theirs), and SIGTERM would do nothing at all.
 */
const HIDDEN = Symbol.for('readme-metrics.hiddenListeners');
type Listener = (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
type Patched = NodeJS.Process & { [HIDDEN]?: Map<string | symbol, Set<Listener>> };

const proto = EventEmitter.prototype;

function hiddenSet(): Map<string | symbol, Set<Listener>> {
  const p = process as Patched;
  if (p[HIDDEN]) return p[HIDDEN];
  const hidden = new Map<string | symbol, Set<Listener>>();
  p[HIDDEN] = hidden;
  const visible = (event: string | symbol, all: Listener[]): Listener[] => {
    const ours = hidden.get(event);
    return ours && ours.size > 0 ? all.filter((fn) => !ours.has(fn)) : all;
  };
  // Own properties that shadow EventEmitter's, not enumerable, so nothing else about process changes.
  const shadow = (name: 'listeners' | 'rawListeners' | 'listenerCount', value: Listener): void => {
    Object.defineProperty(p, name, { value, writable: true, configurable: true, enumerable: false });
  };
  shadow('listeners', function (this: NodeJS.Process, event: string | symbol) {
    return visible(event, proto.listeners.call(this, event) as Listener[]);
  });
  shadow('rawListeners', function (this: NodeJS.Process, event: string | symbol) {
    return visible(event, proto.rawListeners.call(this, event) as Listener[]);
  });
  shadow('listenerCount', function (this: NodeJS.Process, event: string | symbol, listener?: Listener) {
    const raw = visible(event, proto.rawListeners.call(this, event) as Listener[]);
    if (listener === undefined) return raw.length;
    return raw.filter((fn) => fn === listener || (fn as { listener?: Listener }).listener === listener).length;
  });
  let moving = false;
  const toFront = (event: string | symbol): void => {
    const ours = hidden.get(event);
    if (!ours) return;
    moving = true;
    try {
      for (const fn of ours) {
        proto.removeListener.call(process, event, fn);
        proto.prependListener.call(process, event, fn);
      }
    } finally {
      moving = false;
    }
  };
  // Node stops watching a signal once process.listenerCount(signal) reads 0, which it now does while
  // ours is still there: after it did, our listener is added again so the signal stays ours to see.
  process.on('removeListener', (event: string | symbol) => {
    const ours = hidden.get(event);
    if (moving || !ours || ours.size === 0) return;
    const all = proto.rawListeners.call(process, event) as Listener[];
    if (all.every((fn) => ours.has(fn))) toFront(event);
  });
  // Ours must run first to see who else listens: a prepended once() listener would be gone by the
  // time ours ran, and we would take the signal for nobody's. Moved back to the front once it is added.
  process.on('newListener', (event: string | symbol, fn: Listener) => {
    const ours = hidden.get(event);
    if (moving || !ours || ours.size === 0 || ours.has(fn)) return;
    queueMicrotask(() => {
      const first = (proto.rawListeners.call(process, event) as Listener[])[0];
      if (first !== undefined && !ours.has(first)) toFront(event);
    });
  });
  return hidden;
}

/** Adds `fn` first in line for `event` on process, invisible to listeners(), rawListeners() and listenerCount(). */
export function prependHiddenListener(event: string, fn: Listener): void {
  const hidden = hiddenSet();
  let ours = hidden.get(event);
  if (!ours) hidden.set(event, (ours = new Set()));
  ours.add(fn);
  proto.prependListener.call(process, event, fn);
}

export function removeHiddenListener(event: string, fn: Listener): void {
  hiddenSet().get(event)?.delete(fn);
  proto.removeListener.call(process, event, fn);
}
