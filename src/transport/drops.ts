import { debug } from '../debug';

const WARNING_INTERVAL_MS = 60_000;

/**
 * The process's total of dropped logs. Shared (a SharedArrayBuffer) between the app's thread and the
 * worker, since each drops for its own reason and getStats() and the warnings report one total.
 */
export function dropTotal(shared: boolean): BigInt64Array {
  return new BigInt64Array(shared ? new SharedArrayBuffer(8) : new ArrayBuffer(8));
}

export const readDropTotal = (total: BigInt64Array): number => Number(Atomics.load(total, 0));

/**
 * Counts logs dropped for one reason and says so on stderr at most once a minute, with the count
 * since the last warning: a full queue lasts as long as an outage, and a line per request would bury
 * the app's own output.
 */
export class DropCounter {
  private sinceWarning = 0;
  private lastWarning = -Infinity;

  constructor(
    private readonly why: string,
    private readonly totalOfProcess: BigInt64Array,
  ) {}

  get total(): number {
    return readDropTotal(this.totalOfProcess);
  }

  drop(n: number): void {
    const total = Number(Atomics.add(this.totalOfProcess, 0, BigInt(n))) + n;
    this.sinceWarning += n;
    const now = Date.now();
    if (now - this.lastWarning >= WARNING_INTERVAL_MS) {
      this.lastWarning = now;
      process.stderr.write(`readme-metrics: dropped ${this.sinceWarning} log(s): ${this.why} (total dropped: ${total})\n`);
      this.sinceWarning = 0;
    } else {
      debug(`dropped ${n} log(s): ${this.why}`);
    }
  }
}
