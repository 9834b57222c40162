import { OutgoingMessage, validateHeaderValue, type ServerResponse } from 'node:http';

const NAME = 'x-documentation-url';

// Node keeps a response's headers in a table under a private symbol, { [lower-cased name]: [name,
// value] }, made on the first setHeader (the same on Node 20, 22 and 24). setHeader checks the name and
// the value with regular expressions and lower-cases the name on every call: timed inside an Express
// app at full load, about 2 of the 6 µs the SDK spent at request start. Our name is fixed and
// lower-case, and of the value only the log id (hex digits and dashes) changes, its base checked once
// by validBase(): the entry goes straight into that table, as setHeader would put it. Elsewhere
// (HTTP/2, another runtime) setHeader is used.
const kOutHeaders = Object.getOwnPropertySymbols(new OutgoingMessage()).find((s) => s.description === 'kOutHeaders');

type HeaderTable = Record<string, [string, string]>;
type WithTable = { [key: symbol]: HeaderTable | null | undefined };

/** Adds x-documentation-url to a response whose headers are not sent yet. */
export function addDocumentationUrl(res: ServerResponse, value: string): void {
  const table = kOutHeaders === undefined ? undefined : (res as unknown as WithTable)[kOutHeaders];
  if (table === null) {
    // Built as Node builds it. A computed key in the literal would be a call into V8's runtime each time.
    const made = { __proto__: null } as unknown as HeaderTable;
    made[NAME] = [NAME, value];
    (res as unknown as WithTable)[kOutHeaders!] = made;
  } else if (typeof table === 'object') table[NAME] = [NAME, value];
  else res.setHeader(NAME, value);
}

/** Whether a base URL can start a header value (a URL setting may hold characters the URL parser drops). */
export function validBase(url: string): boolean {
  try {
    validateHeaderValue(NAME, url);
    return true;
  } catch {
    return false;
  }
}
