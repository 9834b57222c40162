import { debug, errorMessage } from '../debug';
import { prependHiddenListener, removeHiddenListener } from './hidden-listeners';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type ExitSignal = (typeof SIGNALS)[number];

/**
 * A repeat this soon is the same signal delivered twice, not a second Ctrl-C: to the terminal's process
 * group, then by a runner that passes it on (concurrently's tree-kill, readme-metrics dev under it).
 */
const ECHO_MS = 1_000;

/**
 * SIGTERM/SIGINT when nobody else listens: `drain` delivers what was captured (bounded by its own
 * deadline), then the signal is raised again with our listener gone, so the process dies of it as it
 * would have without us. When anybody else listens, exiting is their decision: we do nothing here, and
 * if they exit, the final flush happens on 'exit' (see exit.ts). Our listener is hidden from other code
 * that counts listeners, so libraries like signal-exit re-raise exactly as they do without us.
 */
export function installSignalHandlers(drain: (signal: ExitSignal) => Promise<void>): void {
  for (const signal of SIGNALS) {
    let draining = false;
    let drainStarted = 0;
    const raise = (): void => {
      removeHiddenListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    const onSignal = (): void => {
      // Counted before any other listener runs (ours is first in line): an app's once() listener is
      // removed as it is called, and counting later would miss it and kill an app mid-shutdown.
      if (process.listenerCount(signal) > 0) return;
      // A second Ctrl-C while we deliver: the user wants it gone now, as it would be without us.
      if (draining) {
        if (performance.now() - drainStarted >= ECHO_MS) return raise();
        return debug(`${signal} again within ${ECHO_MS} ms: the same one delivered twice, still flushing`);
      }
      draining = true;
      drainStarted = performance.now();
      debug(`${signal}: flushing before exit`);
      let drained: Promise<void>;
      try {
        drained = drain(signal);
      } catch (err) {
        drained = Promise.reject(err);
      }
      void drained
        .catch((err: unknown) => debug(`flush on ${signal} failed: ${errorMessage(err)}`))
        .finally(() => {
          draining = false;
          // Somebody started listening while we flushed: the signal is theirs now, as it would have been.
          if (process.listenerCount(signal) > 0) return;
          raise();
        });
    };
    prependHiddenListener(signal, onSignal);
  }
}
