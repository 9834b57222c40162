import { debug, errorMessage } from '../debug';

/**
 * The last moment to deliver on process.exit(), an uncaught exception, an unhandled rejection, and
 * the natural end: Node runs 'exit' listeners synchronously and the event loop never runs again, so
 * `finalFlush` must block (it waits on a worker thread, which keeps running meanwhile). It must not
 * throw, print or change the exit code: the process ends exactly as it would have.
 */
export function onProcessExit(finalFlush: () => void): void {
  process.on('exit', () => {
    try {
      finalFlush();
    } catch (err) {
      debug(`final flush failed: ${errorMessage(err)}`);
    }
  });
}
