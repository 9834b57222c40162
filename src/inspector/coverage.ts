import type { DefinitionState, DocumentedOperation } from '../openapi';
import type { StoredLog } from './store';
import { summarize, type LogSummary } from './summary';

/** A documented operation and the traffic it got. */
export interface OperationCoverage {
  method: string;
  /** As written in the definition: `/books/{id}`. */
  path: string;
  calls: number;
  /** Share of calls answered 4xx or 5xx, 0..1. */
  errorRate: number;
  /** Milliseconds; null when never called. */
  p50: number | null;
  p95: number | null;
  /** Calls per status code returned. */
  statuses: Record<string, number>;
  /** Status codes returned that the operation does not document. */
  undocumentedStatuses: number[];
}

/** Traffic the definition does not describe, by method and route template (or path). */
export interface UndocumentedEndpoint {
  method: string;
  endpoint: string;
  calls: number;
  statuses: Record<string, number>;
}

export interface CoverageReport {
  /** The definition's file, or null when there is none (then everything else is empty). */
  definition: string | null;
  /** Why the definition could not be used, when it could not. */
  error?: string;
  operations: OperationCoverage[];
  neverCalled: Array<{ method: string; path: string }>;
  undocumented: UndocumentedEndpoint[];
}

/** The definition against the traffic the inspector holds. */
export function coverage(state: DefinitionState, logs: readonly StoredLog[]): CoverageReport {
  const { matcher } = state;
  if (!matcher) return { definition: state.file ?? null, error: state.error, operations: [], neverCalled: [], undocumented: [] };
  const seen = new Map<DocumentedOperation, LogSummary[]>();
  const undocumented = new Map<string, UndocumentedEndpoint>();
  for (const stored of logs) {
    const s = summarize(stored);
    const op = matcher.find(s.method, s.path)?.operation;
    if (op) {
      let list = seen.get(op);
      if (!list) seen.set(op, (list = []));
      list.push(s);
      continue;
    }
    const endpoint = s.route ?? s.path.split('?')[0];
    const key = `${s.method} ${endpoint}`;
    let u = undocumented.get(key);
    if (!u) undocumented.set(key, (u = { method: s.method, endpoint, calls: 0, statuses: {} }));
    u.calls++;
    u.statuses[s.status] = (u.statuses[s.status] ?? 0) + 1;
  }

  const operations = matcher.definition.operations.map((op) => describeOperation(op, seen.get(op) ?? []));
  return {
    definition: matcher.definition.file,
    operations,
    neverCalled: operations.filter((o) => o.calls === 0).map(({ method, path }) => ({ method, path })),
    undocumented: [...undocumented.values()].sort((a, b) => b.calls - a.calls || a.endpoint.localeCompare(b.endpoint)),
  };
}

function describeOperation(op: DocumentedOperation, calls: LogSummary[]): OperationCoverage {
  const statuses: Record<string, number> = {};
  let errors = 0;
  for (const c of calls) {
    statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    if (c.status >= 400) errors++;
  }
  const times = calls.map((c) => c.time).sort((a, b) => a - b);
  return {
    method: op.method,
    path: op.path,
    calls: calls.length,
    errorRate: calls.length ? errors / calls.length : 0,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    statuses,
    undocumentedStatuses: Object.keys(statuses)
      .map(Number)
      .filter((code) => !documents(op.responses, code)),
  };
}

/** `200`, a range like `4XX`, or `default` (which documents every code). */
function documents(responses: readonly string[], code: number): boolean {
  return responses.some((r) => r === 'default' || r === String(code) || r.toUpperCase() === `${Math.floor(code / 100)}XX`);
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
