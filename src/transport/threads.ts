import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { RawCapture } from '../capture/raw-capture';
import { debug, errorMessage, warnOnce } from '../debug';
import { DropCounter } from './drops';
import { CaptureBatch, type PackedBatch } from './handoff';
import { emptyStats, type Stats } from './settings';
import type { Sink, SinkEvents } from './sink';

// An app's own worker threads that serve HTTP (one server or more in each)
// hand their captures to the process's pipeline: one pipeline and one SDK worker however many threads
// serve, and a capture handed over outlives its thread (worker.terminate() runs no 'exit' listener). The
// app creates its workers, so no port can be given to them: BroadcastChannels are the meeting point. A
// channel with no listener drops what it is sent, so no thread holds another's captures.

/**
 * Threads to the main thread's agent: a thread serves, so the pipeline must run; and its captures until the
 * pipeline has welcomed it (the SDK worker takes a few hundred milliseconds to start, a thread may end sooner).
 */
const TO_MAIN = 'readme-metrics:thread-to-main';
/** Threads to the pipeline (the SDK worker, or the main thread with backgroundWorkerMode false). */
const CAPTURES = 'readme-metrics:thread-captures';
/** The pipeline and the main thread to threads. */
const TO_THREADS = 'readme-metrics:to-threads';

/**
 * Captures gathered in one turn of a thread's event loop go in one message, at most this many. A capture
 * after a quiet spell goes at once: the app may terminate the thread right after its response, and
 * worker.terminate() gives no turn back.
 */
const BATCH = 64;
const QUIET_MS = 5;
/**
 * How long a flush waits for threads to hand over what they hold: a busy thread must not hold up exit, nor
 * one the app terminated (it never says goodbye).
 */
const MAX_DRAIN_MS = 500;
/**
 * A thread keeps what it sent until the pipeline confirms it (a batch passed on by the main thread takes
 * milliseconds), at most this long; the pipeline remembers what it took a while longer, to take it once.
 */
const KEEP_MS = 1_000;
const REMEMBER_MS = 5_000;
const CONFIRM_MS = 50;

/** Batches taken, per thread: seq -> when, oldest first. */
export type Seen = Map<number, Map<number, number>>;

/**
 * A batch's thread and its number in that thread's sequence. A batch may arrive twice: a drain has a thread
 * send again what the pipeline has not confirmed (one passed on by the main thread may be stuck in its queue
 * as it exits), and the pipeline takes each once.
 */
export interface FromThread {
  thread: number;
  seq: number;
}
export type ToMain = { type: 'hello'; thread: number } | { type: 'bye'; thread: number } | { type: 'captures'; from: FromThread; batch: PackedBatch; bytes: number };
type ToPipeline =
  | { type: 'hello'; thread: number }
  | { type: 'captures'; from: FromThread; batch: PackedBatch; bytes: number }
  | { type: 'drained'; thread: number; id: number }
  | { type: 'bye'; thread: number };
type ToThreads =
  /** A pipeline starts: threads say hello (again). */
  | { type: 'ready' }
  /** To one thread: the pipeline takes its captures. */
  | { type: 'welcome'; thread: number }
  | { type: 'drain'; id: number }
  /** The pipeline took these batches of that thread: it need not keep them. */
  | { type: 'got'; thread: number; seqs: number[] }
  | { type: 'baseUrl'; url: string }
  /** shutdown() on the main thread: stop logging. */
  | { type: 'stop' };

function channel(name: string): BroadcastChannel {
  const c = new BroadcastChannel(name);
  c.unref();
  return c;
}

/** Said once for a throw of ours about the app's worker threads, which must never reach the app. */
export function threadsFailed(err: unknown): void {
  warnOnce('internal-threads', `internal error with the app's worker threads (${errorMessage(err)}); the app is unaffected`);
}

/** Listens on a channel: the handler runs on the app's threads, where a throw of ours would crash the app. */
function listen<T>(c: BroadcastChannel, handler: (msg: T) => void): void {
  c.onmessage = (event) => {
    try {
      handler((event as { data: T }).data);
    } catch (err) {
      threadsFailed(err);
    }
  };
}

/**
 * A pipeline's flush once the app's worker threads have handed over what they hold (the worker's and the
 * in-process sink's): the drain and the flush share the one deadline.
 */
export async function flushAfterThreads(
  threads: ThreadReceiver | null,
  pipeline: { flush(timeoutMs: number, final: boolean): Promise<Stats> },
  timeoutMs: number,
  final: boolean,
): Promise<Stats> {
  const deadline = Date.now() + timeoutMs;
  await threads?.drain(timeoutMs);
  return pipeline.flush(Math.max(1, deadline - Date.now()), final);
}

/**
 * The main thread's agent: hears of threads that serve, and takes their captures until they are welcomed.
 * `serving` counts the threads that said hello and not goodbye, for the pipeline's drain (any thread).
 */
export function listenForThreads(onMessage: (msg: ToMain) => void): { serving: Int32Array; stop(): void } {
  const serving = new Int32Array(new SharedArrayBuffer(4));
  const threads = new Set<number>();
  const from = channel(TO_MAIN);
  listen<ToMain>(from, (msg) => {
    if (msg.type === 'hello') threads.add(msg.thread);
    else if (msg.type === 'bye') threads.delete(msg.thread);
    Atomics.store(serving, 0, threads.size);
    onMessage(msg);
  });
  return {
    serving,
    stop() {
      from.close();
      const to = channel(TO_THREADS);
      to.postMessage({ type: 'stop' } satisfies ToThreads);
      to.close();
    },
  };
}

/**
 * The pipeline's side: takes threads' captures, and before a flush asks each thread it knows to hand over
 * what it holds (the responses it finished a moment ago included), so exit and signals find them queued.
 */
export class ThreadReceiver {
  private readonly from = channel(CAPTURES);
  private readonly to = channel(TO_THREADS);
  private readonly live = new Set<number>();
  private drainId = 0;
  private readonly draining = new Map<number, { answered: Set<number>; done: () => void }>();
  private baseUrl: string | undefined;
  /** Taken since the last confirmation, per thread. */
  private toConfirm = new Map<number, number[]>();
  private confirmTimer: NodeJS.Timeout | null = null;

  /**
   * serving: the main thread's count of threads that serve (listenForThreads), welcomed here or not;
   * seen: what an earlier receiver in this process took (the exit flusher takes over from the main thread's).
   */
  constructor(
    onCaptures: (batch: PackedBatch, bytes: number) => void,
    private readonly serving: Int32Array | null,
    private readonly seen: Seen = new Map(),
  ) {
    listen<ToPipeline>(this.from, (msg) => {
      if (msg.type === 'captures') {
        if (this.accept(msg.from)) onCaptures(msg.batch, msg.bytes);
        return;
      }
      if (msg.type === 'hello') {
        // Known threads say hello again when another pipeline starts; one welcome each is enough.
        if (this.live.has(msg.thread)) return;
        this.live.add(msg.thread);
        this.to.postMessage({ type: 'welcome', thread: msg.thread } satisfies ToThreads);
        if (this.baseUrl) this.to.postMessage({ type: 'baseUrl', url: this.baseUrl } satisfies ToThreads);
        return;
      }
      if (msg.type === 'bye') this.live.delete(msg.thread);
      for (const [id, d] of this.draining) {
        if (msg.type === 'bye' || msg.id === id) d.answered.add(msg.thread);
        if (this.drained(d.answered)) d.done();
      }
    });
    this.to.postMessage({ type: 'ready' } satisfies ToThreads);
  }

  /** False for a batch taken already; true (and remembered) otherwise. Also for batches the main thread passes on. */
  accept({ thread, seq }: FromThread): boolean {
    let taken = this.seen.get(thread);
    if (!taken) this.seen.set(thread, (taken = new Map()));
    if (taken.has(seq)) return false;
    const now = performance.now();
    taken.set(seq, now);
    for (const [old, at] of taken) {
      if (now - at < REMEMBER_MS) break;
      taken.delete(old);
    }
    const pending = this.toConfirm.get(thread);
    if (pending) pending.push(seq);
    else this.toConfirm.set(thread, [seq]);
    this.confirmTimer ??= setTimeout(() => this.confirm(), CONFIRM_MS).unref();
    return true;
  }

  private confirm(): void {
    this.confirmTimer = null;
    for (const [thread, seqs] of this.toConfirm) this.to.postMessage({ type: 'got', thread, seqs } satisfies ToThreads);
    this.toConfirm = new Map();
  }

  /** What this receiver took, for the one that takes over as the process exits. */
  taken(): Seen {
    return this.seen;
  }

  tellBaseUrl(url: string): void {
    this.baseUrl = url;
    this.to.postMessage({ type: 'baseUrl', url } satisfies ToThreads);
  }

  /** Every thread known here has answered, and as many as the main thread knows of. */
  private drained(answered: Set<number>): boolean {
    for (const thread of this.live) if (!answered.has(thread)) return false;
    return answered.size >= (this.serving ? Atomics.load(this.serving, 0) : 0);
  }

  close(): void {
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.from.close();
    this.to.close();
  }

  /** Resolves once every known thread has handed over what it holds, or after at most `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.drained(new Set())) return Promise.resolve();
    const id = ++this.drainId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), Math.max(0, Math.min(timeoutMs, MAX_DRAIN_MS)));
      const done = (): void => {
        clearTimeout(timer);
        this.draining.delete(id);
        resolve();
      };
      this.draining.set(id, { answered: new Set(), done });
      this.to.postMessage({ type: 'drain', id } satisfies ToThreads);
    });
  }
}

/**
 * A worker thread's sink: captures go to the pipeline at the end of the event loop's turn (or at BATCH),
 * through the main thread until the pipeline has welcomed this thread. Its stats count what it handed
 * over; the main thread's getStats() has the rest.
 */
export class ThreadSink implements Sink {
  private readonly toMain = channel(TO_MAIN);
  private readonly toPipeline = channel(CAPTURES);
  private readonly fromMain = channel(TO_THREADS);
  private batch = new CaptureBatch();
  private immediate: NodeJS.Immediate | null = null;
  /** The pipeline has welcomed this thread: captures go to it, not through the main thread. */
  private welcomed = false;
  private stopped = false;
  private handed = 0;
  private lastHandOff = 0;
  private seq = 0;
  /** Sent and not yet confirmed by the pipeline, oldest first: a drain sends them again. */
  private readonly kept = new Map<number, { at: number; message: ToPipeline }>();
  private readonly lost: DropCounter;

  constructor(
    events: SinkEvents,
    dropped: BigInt64Array,
    /** Completes the exchanges whose response ended but whose 'close' has not come yet (capture/observe.ts). */
    private readonly completeEnded: () => void,
  ) {
    this.lost = new DropCounter('this worker thread could not hand them over', dropped);
    listen<ToThreads>(this.fromMain, (msg) => this.onMessage(msg, events));
    this.toMain.postMessage({ type: 'hello', thread: threadId } satisfies ToMain);
    // A pipeline already running answers this; one that starts later says 'ready' first.
    this.toPipeline.postMessage({ type: 'hello', thread: threadId } satisfies ToPipeline);
  }

  private onMessage(msg: ToThreads, events: SinkEvents): void {
    if (msg.type === 'ready') {
      this.toPipeline.postMessage({ type: 'hello', thread: threadId } satisfies ToPipeline);
    } else if (msg.type === 'welcome') {
      if (msg.thread === threadId) this.welcomed = true;
    } else if (msg.type === 'drain') {
      // Only a pipeline asks: it listens, and the main thread may be blocked on exit, unable to pass anything on.
      this.welcomed = true;
      this.completeEnded();
      this.handOff();
      for (const { message } of this.kept.values()) this.toPipeline.postMessage(message);
      this.toPipeline.postMessage({ type: 'drained', thread: threadId, id: msg.id } satisfies ToPipeline);
    } else if (msg.type === 'got') {
      if (msg.thread === threadId) for (const seq of msg.seqs) this.kept.delete(seq);
    } else if (msg.type === 'baseUrl') {
      events.onBaseUrl(msg.url);
    } else if (msg.type === 'stop') {
      this.stopped = true;
      this.batch.take();
    }
  }

  submit(raw: RawCapture): void {
    if (this.stopped) return;
    this.batch.add(raw);
    if (this.batch.length >= BATCH || performance.now() - this.lastHandOff >= QUIET_MS) this.handOff();
    else this.immediate ??= setImmediate(() => this.handOff()).unref();
  }

  private handOff(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
    const n = this.batch.length;
    if (n === 0) return;
    const now = (this.lastHandOff = performance.now());
    const bytes = this.batch.byteLength;
    const taken = this.batch.take().message;
    // A channel copies what it carries, and the batch's buffer is mostly room to grow: only what it holds.
    const batch = { ...taken, bytes: taken.bytes.slice(0, bytes) };
    const message = { type: 'captures', from: { thread: threadId, seq: ++this.seq }, batch, bytes } as const;
    try {
      (this.welcomed ? this.toPipeline : this.toMain).postMessage(message);
      this.handed += n;
      for (const [seq, { at }] of this.kept) {
        if (now - at < KEEP_MS) break;
        this.kept.delete(seq);
      }
      this.kept.set(message.from.seq, { at: now, message });
    } catch (err) {
      debug(`could not hand ${n} capture(s) to the pipeline: ${errorMessage(err)}`);
      this.lost.drop(n);
    }
  }

  /** The pipeline delivers; this thread only hands over what it holds. */
  flush(): Promise<Stats> {
    this.handOff();
    return Promise.resolve(this.stats());
  }

  /** This thread ends (the process may go on): what it holds goes now, and the pipeline stops waiting for it. */
  flushBeforeExit(): void {
    this.handOff();
    this.toPipeline.postMessage({ type: 'bye', thread: threadId } satisfies ToPipeline);
    this.toMain.postMessage({ type: 'bye', thread: threadId } satisfies ToMain);
  }

  stats(): Stats {
    return { ...emptyStats(), queued: this.handed, pending: this.batch.length };
  }

  async close(): Promise<void> {
    this.handOff();
    this.toMain.close();
    this.toPipeline.close();
    this.fromMain.close();
  }
}
