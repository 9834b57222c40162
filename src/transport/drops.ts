import { debug } from '../debug';

const WARNING_INTERVAL_MS = 60_000;

/** Slots of the process's loss totals. */
const DROPPED = 0;
const SHED = 1;

/**
 * The process's totals of logs dropped and of logs sent without their bodies. Shared (a
 * SharedArrayBuffer) between the app's thread and the worker, since each sheds or drops for its own
 * reason and getStats() and the warnings report one total.
 */
export function dropTotal(shared: boolean): BigInt64Array {
  return new BigInt64Array(shared ? new SharedArrayBuffer(16) : new ArrayBuffer(16));
}

export const readDropTotal = (total: BigInt64Array): number => Number(Atomics.load(total, DROPPED));
export const readShedTotal = (total: BigInt64Array): number => Number(Atomics.load(total, SHED));

/**
 * Says something on stderr at most once a minute, with the count since it last did: a full queue or a
 * failing Metrics API lasts as long as an outage, and a line per request would bury the app's output.
 */
export class MinuteReport {
  private sinceWarning = 0;
  private lastWarning = -Infinity;

  constructor(private readonly line: (n: number) => string) {}

  add(n: number): void {
    this.sinceWarning += n;
    const now = Date.now();
    if (now - this.lastWarning >= WARNING_INTERVAL_MS) {
      this.lastWarning = now;
      process.stderr.write(`readme-metrics: ${this.line(this.sinceWarning)}\n`);
      this.sinceWarning = 0;
    } else {
      debug(this.line(n));
    }
  }
}

/** Counts logs dropped whole for one reason, into the process's total, and reports them once a minute. */
export class DropCounter {
  private readonly report: MinuteReport;

  constructor(why: string, private readonly totals: BigInt64Array) {
    this.report = new MinuteReport(
      (n) => `dropped ${n} log(s): ${why} (total dropped: ${readDropTotal(totals)}; sent without bodies: ${readShedTotal(totals)})`,
    );
  }

  get total(): number {
    return readDropTotal(this.totals);
  }

  drop(n: number): void {
    Atomics.add(this.totals, DROPPED, BigInt(n));
    this.report.add(n);
  }
}

/**
 * Counts logs sent without their bodies for one reason: they still count in ReadMe, which dropping them
 * would not. Reported once a minute with the same totals as drops, so the two lines add up.
 */
export class ShedCounter {
  private readonly report: MinuteReport;

  constructor(why: string, private readonly totals: BigInt64Array) {
    this.report = new MinuteReport(
      (n) => `sent ${n} log(s) without their bodies: ${why} (total sent without bodies: ${readShedTotal(totals)}; dropped: ${readDropTotal(totals)})`,
    );
  }

  get total(): number {
    return readShedTotal(this.totals);
  }

  shed(n: number): void {
    Atomics.add(this.totals, SHED, BigInt(n));
    this.report.add(n);
  }
}
