import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogStore, StoredLog } from './store';

export interface PersistOptions {
  /** Lines kept after a compaction (the store's bound). */
  maxEntries: number;
  /** The file is compacted once it grows past this many bytes. */
  maxBytes: number;
}

interface Line {
  receivedAt: number;
  log: Record<string, unknown>;
}

/**
 * Keeps the store in a JSON-lines file so a restart keeps history. Appends are batched per tick;
 * the file is rewritten with only the newest logs once it holds twice the bound (or maxBytes), so it
 * stays bounded. The Authorization header is not written: the file should not hold API keys.
 */
export class JsonlPersistence {
  private pending: string[] = [];
  private scheduled = false;
  private lines = 0;
  private bytes = 0;
  private store: LogStore | undefined;

  constructor(
    readonly path: string,
    private readonly opts: PersistOptions,
  ) {}

  /** Reads the newest `maxEntries` valid lines; a torn last line from a crash is skipped. */
  load(): Line[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Line[] = [];
    const raw = text.split('\n');
    for (let i = raw.length - 1; i >= 0 && out.length < this.opts.maxEntries; i--) {
      const parsed = parseLine(raw[i]);
      if (parsed) out.push(parsed);
    }
    this.lines = raw.filter((l) => l.trim()).length;
    this.bytes = Buffer.byteLength(text);
    return out.reverse();
  }

  /** Mirrors the store into the file from now on. */
  attach(store: LogStore): () => void {
    const onLog = (s: StoredLog) => this.append(s);
    const onClear = () => this.rewrite([]);
    store.on('log', onLog);
    store.on('clear', onClear);
    this.store = store;
    return () => {
      store.off('log', onLog);
      store.off('clear', onClear);
      this.flush();
    };
  }

  private append(s: StoredLog): void {
    this.pending.push(JSON.stringify({ receivedAt: s.receivedAt, log: s.log } satisfies Line) + '\n');
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    const count = this.pending.length;
    this.pending = [];
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      appendFileSync(this.path, chunk);
      this.lines += count;
      this.bytes += Buffer.byteLength(chunk);
    } catch (err) {
      process.stderr.write(`readme-metrics inspector: could not write ${this.path} (${(err as Error).message})\n`);
      return;
    }
    if (this.lines > this.opts.maxEntries * 2 || this.bytes > this.opts.maxBytes) {
      this.rewrite(this.store?.all() ?? []);
    }
  }

  /** Writes the newest logs that fit in half the byte budget, atomically (temp file + rename). */
  private rewrite(logs: readonly StoredLog[]): void {
    this.pending = [];
    const kept: string[] = [];
    let bytes = 0;
    for (let i = logs.length - 1; i >= 0 && kept.length < this.opts.maxEntries; i--) {
      const line = JSON.stringify({ receivedAt: logs[i].receivedAt, log: logs[i].log } satisfies Line) + '\n';
      const size = Buffer.byteLength(line);
      if (bytes + size > this.opts.maxBytes / 2 && kept.length > 0) break;
      kept.push(line);
      bytes += size;
    }
    const text = kept.reverse().join('');
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, this.path);
      this.lines = kept.length;
      this.bytes = statSync(this.path).size;
    } catch (err) {
      process.stderr.write(`readme-metrics inspector: could not compact ${this.path} (${(err as Error).message})\n`);
    }
  }
}

function parseLine(line: string | undefined): Line | undefined {
  if (!line || !line.trim()) return undefined;
  try {
    const v = JSON.parse(line) as Partial<Line>;
    if (!v || typeof v !== 'object' || !v.log || typeof v.log !== 'object') return undefined;
    return { receivedAt: typeof v.receivedAt === 'number' ? v.receivedAt : Date.now(), log: v.log };
  } catch {
    return undefined;
  }
}
