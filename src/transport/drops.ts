import { debug } from '../debug';

const WARNING_INTERVAL_MS = 60_000;

/**
 * Counts logs dropped for lack of room and says so on stderr at most once a minute, with the count
 * since the last warning: a full queue lasts as long as an outage, and a line per request would bury
 * the app's own output.
 */
export class DropCounter {
  total = 0;
  private sinceWarning = 0;
  private lastWarning = -Infinity;

  drop(n: number, why: string): void {
    this.total += n;
    this.sinceWarning += n;
    const now = Date.now();
    if (now - this.lastWarning >= WARNING_INTERVAL_MS) {
      this.lastWarning = now;
      process.stderr.write(`readme-metrics: dropped ${this.sinceWarning} log(s): ${why} (total dropped: ${this.total})\n`);
      this.sinceWarning = 0;
    } else {
      debug(`dropped ${n} log(s): ${why}`);
    }
  }
}
