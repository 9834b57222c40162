import { censor } from './censor';
import { KEEP, type Policy, REDACT, type Scope, type Verdict } from './policy';

// JSON bodies are redacted by scanning the text and splicing replacements in, not by parse + stringify:
// the text stays byte-identical outside redacted values (numbers beyond 2^53, key order, duplicate keys,
// whitespace), and a body that does not parse (truncated at maxBodySize, NDJSON, sloppy JSON) is still
// redacted as far as it goes instead of being sent as is.

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

/** An escape sequence cut off by truncation at the end of a string. */
const CUT_ESCAPE = /\\(u[0-9a-fA-F]{0,3})?$/;

interface Frame {
  array: boolean;
  scope: Scope;
  index: number;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Characters that end a bare token (a number, a literal, or a sloppy unquoted key). */
function endsToken(c: number): boolean {
  return isSpace(c) || c === COMMA || c === COLON || c === QUOTE || c === OPEN_BRACE || c === CLOSE_BRACE || c === OPEN_BRACKET || c === CLOSE_BRACKET;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the string starting at i, or s.length when it never closes. */
function stringEnd(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q === -1) return s.length;
    let slashes = 0;
    while (s.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

function tokenEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && !endsToken(s.charCodeAt(j))) j++;
  return j === i ? i + 1 : j;
}

/** Index just past the value starting at i (s.length when the text ends first). */
function valueEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return stringEnd(s, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return tokenEnd(s, i);
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === QUOTE) j = stringEnd(s, j) - 1;
    else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return j + 1;
  }
  return s.length;
}

/** The decoded content of the string token s[start, end), tolerating a token cut off by truncation. */
function decodeString(s: string, start: number, end: number): string {
  let closed = end - start >= 2 && s.charCodeAt(end - 1) === QUOTE;
  if (closed) {
    let slashes = 0;
    while (s.charCodeAt(end - 2 - slashes) === BACKSLASH) slashes++;
    closed = slashes % 2 === 0;
  }
  const raw = s.slice(start + 1, closed ? end - 1 : end);
  if (!raw.includes('\\')) return raw;
  for (const candidate of [raw, raw.replace(CUT_ESCAPE, '')]) {
    try {
      return JSON.parse(`"${candidate}"`) as string;
    } catch {}
  }
  return raw;
}

/** The replacement for the value token s[start, end). */
function replacement(s: string, start: number, end: number): string {
  const value = s.charCodeAt(start) === QUOTE ? decodeString(s, start, end) : null;
  return JSON.stringify(censor(value));
}

/** Redacts a JSON (or NDJSON) text; undefined when nothing in it was redacted. */
export function redactJsonText(s: string, policy: Policy): string | undefined {
  const edits: number[] = [];
  const replacements: string[] = [];
  const stack: Frame[] = [];
  const n = s.length;
  let i = 0;

  const take = (verdict: Verdict, at: number, c: number): number => {
    if (verdict === REDACT) {
      const end = valueEnd(s, at);
      edits.push(at, end);
      replacements.push(replacement(s, at, end));
      return end;
    }
    if (verdict !== KEEP && (c === OPEN_BRACE || c === OPEN_BRACKET)) {
      stack.push({ array: c === OPEN_BRACKET, scope: verdict, index: 0 });
      return at + 1;
    }
    return valueEnd(s, at);
  };

  while (i < n) {
    i = skipSpace(s, i);
    if (i >= n) break;
    let c = s.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (!top) {
      // Each top-level value is a document of its own (NDJSON); a bare string or number has no key to judge.
      const container = c === OPEN_BRACE || c === OPEN_BRACKET;
      i = take(container || policy.root === REDACT ? policy.root : KEEP, i, c);
      continue;
    }
    if (c === COMMA || c === COLON) {
      i++;
      continue;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      i++;
      continue;
    }
    // undefined: a key the policy rules out where it lies (needsJudging), never sliced out.
    let key: string | number | undefined;
    if (top.array) {
      key = top.index++;
    } else {
      const keyStart = i;
      const quoted = c === QUOTE;
      const keyEnd = quoted ? stringEnd(s, i) : tokenEnd(s, i);
      i = skipSpace(s, keyEnd);
      if (i >= n) break;
      if (s.charCodeAt(i) !== COLON) continue;
      i = skipSpace(s, i + 1);
      if (i >= n) break;
      c = s.charCodeAt(i);
      if (c === COMMA || c === CLOSE_BRACE) continue;
      if (policy.needsJudging(s, keyStart, keyEnd)) key = quoted ? decodeString(s, keyStart, keyEnd) : s.slice(keyStart, keyEnd);
    }
    const container = c === OPEN_BRACE || c === OPEN_BRACKET;
    i = take(key === undefined ? policy.plain(container) : policy.judge(top.scope, key, container), i, c);
  }

  if (edits.length === 0) return undefined;
  let out = '';
  let last = 0;
  for (let k = 0; k < edits.length; k += 2) {
    out += s.slice(last, edits[k]) + replacements[k / 2];
    last = edits[k + 1];
  }
  return out + s.slice(last);
}
