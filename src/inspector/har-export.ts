import { version } from '../version';

type Obj = Record<string, unknown>;

/**
 * Merges the one-entry HAR of each log into a single HAR 1.2 document that browser devtools open.
 * Devtools and HAR validators want what the ingestion format leaves out: `timings.send`, and a
 * `pageref` that names an entry of `pages`. The route template moves to `_route` (custom fields start
 * with an underscore) and the ReadMe fields to `_readme`, so nothing is lost.
 */
export function toHar(logs: Iterable<Obj>): Obj {
  const entries: Obj[] = [];
  for (const log of logs) {
    const har = (log.request as { log?: { entries?: unknown } } | undefined)?.log;
    const list = Array.isArray(har?.entries) ? (har.entries as Obj[]) : [];
    for (const entry of list) entries.push(exportEntry(log, entry));
  }
  entries.sort((a, b) => String(a.startedDateTime).localeCompare(String(b.startedDateTime)));
  return {
    log: {
      version: '1.2',
      creator: { name: 'readme-metrics inspector', version },
      pages: [],
      entries,
    },
  };
}

function exportEntry(log: Obj, entry: Obj): Obj {
  const { pageref, timings, ...rest } = entry;
  const t = (timings && typeof timings === 'object' ? timings : {}) as Obj;
  const time = typeof entry.time === 'number' && Number.isFinite(entry.time) ? entry.time : 0;
  const out: Obj = {
    ...rest,
    time,
    cache: entry.cache && typeof entry.cache === 'object' ? entry.cache : {},
    timings: {
      send: typeof t.send === 'number' ? t.send : 0,
      wait: typeof t.wait === 'number' ? t.wait : 0,
      receive: typeof t.receive === 'number' ? t.receive : time,
    },
    _readme: { id: log._id, group: log.group, development: log.development, clientIPAddress: log.clientIPAddress },
  };
  if (typeof pageref === 'string') out._route = pageref;
  return out;
}
