import { CARD, FORMATS_BY_FIRST, isCardNumber, PEM_BEGIN, PEM_END, PEM_REST } from './secret-formats';

// Secrets found by their shape (secretScan). Every log passes through here, so the common case, a text
// with nothing that could start a token, must cost next to nothing: the scan only looks for a few anchors
// (`_`, `-`, the `J` of `eyJ`, `A`, `S`, the Slack webhook host, runs of digits) with indexOf and one digit regex, and
// runs a format's regex only at the word an anchor sits in.

/** How a text is written, which decides what a match's replacement and boundaries look like. */
export enum Written {
  /** A plain value: a header, a decoded query or form value, a text body. */
  Plain,
  /** The raw text of a JSON body: matches may contain escapes; bare numbers are numbers, not card numbers. */
  Json,
  /** A raw URL or urlencoded string: replacements are percent-encoded so the URL stays a URL. */
  Url,
}

/** The shortest secret any format matches (a 13-digit card number). */
const MIN_LENGTH = 13;
/** The longest prefix word before a `_` or `-` anchor (`github_pat`, `sq0atp`, `glsoat`). */
const MAX_PREFIX = 10;
/**
 * Anchors found with indexOf (single characters and rare first characters run at memchr speed): where
 * the token starts relative to the anchor, and the text it must start with there, checked before any
 * regex runs (`AppleWebKit`, `Safari`, `SKU-1` are turned away by that alone).
 */
const ANCHORED_AT: readonly [anchor: string, offset: number, starts: RegExp][] = [
  ['J', 2, /^ey/], // eyJ: every JWT header starts with `{"`
  ['A', 0, /^A(?:KIA|SIA|BIA|CCA|Iza|GE-)/],
  ['S', 0, /^S(?:G\.|K[0-9a-fA-F])/],
  ['.slack.com', 5, /^hooks/],
];
/** Unrolled, because V8 skips through text far faster with \d\d\d\d than with \d{4}. */
const CARD_GATE = /\d\d\d\d\d\d\d\d\d\d\d\d\d|\d\d\d\d[ -]\d\d\d\d[ -]\d\d\d\d|\d\d\d\d[ -]\d\d\d\d\d\d[ -]\d\d\d\d/g;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A token starts a word: no letter or digit before it, except the letter of an escape such as `\n`. */
function startsWord(text: string, at: number): boolean {
  return at === 0 || !isAlnum(text.charCodeAt(at - 1)) || (at > 1 && text.charCodeAt(at - 2) === 92);
}

function isBase64Url(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 95;
}

// The run of base64url characters last measured: hits in the same run share its end, so a text that is
// one long run of candidates ("sk-sk-sk-...") is walked once, not once per candidate.
let runFrom = 0;
let runTo = -1;

function runEnd(text: string, at: number): number {
  if (at >= runFrom && at < runTo) return runTo;
  let end = at;
  while (end < text.length && isBase64Url(text.charCodeAt(end))) end++;
  runFrom = at;
  runTo = end;
  return end;
}

/** End of the secret starting at `at`, or -1: tries the formats that can start with that character. */
function tokenAt(text: string, at: number): number {
  if (text.charCodeAt(at) === 45) return pemAt(text, at);
  const formats = FORMATS_BY_FIRST.get(text[at]);
  if (formats === undefined || !startsWord(text, at)) return -1;
  for (const format of formats) {
    if (format.run) {
      const end = runEnd(text, at);
      if (end - at > format.run.max || (format.run.then !== undefined && text.charCodeAt(end) !== format.run.then)) continue;
    }
    format.re.lastIndex = at;
    if (!format.re.test(text)) continue;
    let end = format.re.lastIndex;
    if (format.verify) {
      const length = format.verify(text.slice(at, end));
      if (length === 0) continue;
      end = at + length;
    }
    if (end < text.length && format.tail.test(text[end])) continue;
    return end;
  }
  return -1;
}

/** A PEM private key: through its END line, or to the end of its body when the text was cut off before it. */
function pemAt(text: string, at: number): number {
  PEM_BEGIN.lastIndex = at;
  if (!PEM_BEGIN.test(text)) return -1;
  const body = PEM_BEGIN.lastIndex;
  PEM_REST.lastIndex = body;
  PEM_REST.test(text);
  const rest = PEM_REST.lastIndex;
  // The END line counts only right after the key material.
  PEM_END.lastIndex = rest;
  if (PEM_END.test(text)) return PEM_END.lastIndex;
  let cut = rest;
  while (cut > body && isSpace(text.charCodeAt(cut - 1))) cut--;
  return cut;
}

/** Where the word holding an anchor at `h` starts, when it is short enough to be a prefix; -1 otherwise. */
function prefixStart(text: string, h: number): number {
  let w = h;
  // The letter of an escape (`\n` in JSON, `\t`) ends the word: the prefix starts after it.
  while (w > 0 && isAlnum(text.charCodeAt(w - 1)) && text.charCodeAt(w - 2) !== 92) if (h - --w > MAX_PREFIX) return -1;
  return w;
}

/**
 * The last two characters of every prefix word before a `_` or `-` anchor, as a table over character
 * pairs: one lookup turns away nearly every other `_` and `-` (snake_case keys, UUIDs, dates) unexamined.
 */
function pairTable(prefixes: readonly string[]): Uint8Array {
  const table = new Uint8Array(128 * 128);
  for (const p of prefixes) table[p.charCodeAt(p.length - 2) * 128 + p.charCodeAt(p.length - 1)] = 1;
  return table;
}
const BEFORE_UNDERSCORE = pairTable(['ghp', 'gho', 'ghu', 'ghs', 'ghr', 'github', 'sk', 'rk', 'whsec', 'npm', 'rdme', 'shpat', 'shpca', 'shppa', 'shpss', 'hf', 'dop', 'dor', 'doo', 'lin']);
const BEFORE_DASH = pairTable(['glpat', 'glptt', 'gldt', 'glrt', 'glsoat', 'glcbt', 'xoxa', 'xoxb', 'xoxe', 'xoxp', 'xoxr', 'xoxs', 'xapp', 'sk', 'sq0atp', 'sq0csp', 'pypi', 'PMAK', 'AGE']);

/** Scans for `_` or `-`, the character after a token's prefix word. */
function scanSeparator(text: string, anchor: string, found: number[]): void {
  const table = anchor === '_' ? BEFORE_UNDERSCORE : BEFORE_DASH;
  let from = 0;
  for (;;) {
    const h = text.indexOf(anchor, from);
    if (h === -1) return;
    from = h + 1;
    const a = text.charCodeAt(h - 2);
    const b = text.charCodeAt(h - 1);
    // `-----BEGIN` is the one token whose anchor has no prefix word: its dashes follow each other.
    if (!(a < 128 && b < 128 && table[a * 128 + b] === 1) && text.charCodeAt(h + 1) !== 45) continue;
    const at = prefixStart(text, h);
    const end = at === -1 ? -1 : tokenAt(text, at);
    if (end > h) {
      found.push(at, end);
      from = end;
    }
  }
}

const SCHEME = /https?:(?:\\?\/){2}$/;

/** A URL-shaped token (the Slack webhook) goes with its scheme: `https://` alone left behind says nothing. */
function schemeBefore(text: string, at: number): number {
  if (text.charCodeAt(at - 1) !== 47) return 0;
  const m = SCHEME.exec(text.slice(Math.max(0, at - 10), at));
  return m === null ? 0 : m[0].length;
}

/** Scans for an anchor that sits `offset` characters into a token. */
function scanAt(text: string, anchor: string, offset: number, starts: RegExp, found: number[]): void {
  let from = offset;
  for (;;) {
    const h = text.indexOf(anchor, from);
    if (h === -1) return;
    from = h + 1;
    if (!starts.test(text.slice(h - offset, h - offset + 5))) continue;
    const end = tokenAt(text, h - offset);
    if (end > h) {
      found.push(h - offset - schemeBefore(text, h - offset), end);
      from = end;
    }
  }
}

/** `_ . - +` before a run of digits make it part of an id, a decimal, a range or a phone number. */
function continuesBefore(c: number): boolean {
  return c === 95 || c === 46 || c === 45 || c === 43;
}

function cardEnd(text: string, at: number): number {
  CARD.lastIndex = at;
  if (!CARD.test(text)) return -1;
  const end = CARD.lastIndex;
  const next = text.charCodeAt(end);
  if (isAlnum(next) || next === 95) return -1;
  // A decimal part, a range, or one more group in the same layout: a longer number, not a card.
  const separator = text.charCodeAt(at + 4);
  if ((next === 46 || next === 45 || (next === separator && !isDigit(separator))) && isDigit(text.charCodeAt(end + 1))) return -1;
  const digits = text.slice(at, end).replace(/[ -]/g, '');
  return isCardNumber(digits) ? end : -1;
}

function scanCards(text: string, found: number[]): void {
  CARD_GATE.lastIndex = 0;
  for (let m = CARD_GATE.exec(text); m !== null; m = CARD_GATE.exec(text)) {
    const at = m.index;
    const end = startsWord(text, at) && (at === 0 || !continuesBefore(text.charCodeAt(at - 1))) ? cardEnd(text, at) : -1;
    if (end !== -1) {
      found.push(at, end);
      CARD_GATE.lastIndex = end;
      continue;
    }
    // Not a card here: move past this run of digits, so its tail is not read as a number of its own.
    let j = at;
    while (isDigit(text.charCodeAt(j))) j++;
    CARD_GATE.lastIndex = j;
  }
}

/** The secrets in a text as sorted, disjoint [start, end) pairs; empty when there are none. */
export function findSecrets(text: string): number[] {
  const found: number[] = [];
  if (text.length < MIN_LENGTH) return found;
  runTo = -1;
  scanSeparator(text, '_', found);
  scanSeparator(text, '-', found);
  for (const [anchor, offset, starts] of ANCHORED_AT) scanAt(text, anchor, offset, starts, found);
  scanCards(text, found);
  return found.length <= 2 ? found : merged(found);
}

function merged(found: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let k = 0; k < found.length; k += 2) pairs.push([found[k], found[k + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const last = out.length - 1;
    if (last > 0 && s <= out[last]) out[last] = Math.max(out[last], e);
    else out.push(s, e);
  }
  return out;
}

/** The length a reader of the decoded JSON string sees: `\n` in a PEM key is one character. */
function decodedLength(raw: string): number {
  if (!raw.includes('\\')) return raw.length;
  try {
    return (JSON.parse(`"${raw.replace(/\\$/, '')}"`) as string).length;
  } catch {
    return raw.length;
  }
}

/** Tracks whether positions of a JSON text, asked in increasing order, fall inside a string. */
function stringTracker(text: string): (pos: number) => boolean {
  let at = 0;
  let inside = false;
  return (pos) => {
    for (; at < pos; at++) {
      const c = text.charCodeAt(at);
      if (c === 92 && inside) at++;
      else if (c === 34) inside = !inside;
    }
    return inside;
  };
}

/**
 * The text with every secret replaced by "[REDACTED <n>]" (n: the secret's length); undefined when it
 * holds none. Everything around a secret keeps its bytes.
 */
export function redactSecrets(text: string, written: Written = Written.Plain): string | undefined {
  const found = findSecrets(text);
  if (found.length === 0) return undefined;
  const inString = written === Written.Json ? stringTracker(text) : undefined;
  let out = '';
  let last = 0;
  let changed = false;
  for (let k = 0; k < found.length; k += 2) {
    const start = found[k];
    const end = found[k + 1];
    // Digits outside a JSON string are a number: an id or an amount, never a card (payment APIs send cards as strings).
    if (inString && !inString(start)) continue;
    const secret = text.slice(start, end);
    let replacement: string;
    if (written === Written.Json) replacement = `[REDACTED ${decodedLength(secret)}]`;
    else if (written === Written.Url) replacement = `%5BREDACTED%20${secret.length}%5D`;
    else replacement = `[REDACTED ${secret.length}]`;
    out += text.slice(last, start) + replacement;
    last = end;
    changed = true;
  }
  return changed ? out + text.slice(last) : undefined;
}
