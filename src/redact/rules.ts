// The entry syntax of denylist/allowlist, compiled once into a small NFA over JSON paths.
//   password        a plain key: headers, query/form/multipart fields, top-level JSON keys
//                   (also the keys of objects in a top-level JSON array, which is how list bodies look)
//   user.password   a dot path into nested JSON
//   *               exactly one key or array index
//   **              any number of keys or indexes, including none
//   items[].token   `token` in every element of the array `items`; items[2] is one element

import { cacheKey } from './memo';

const STAR = -1;
const GLOB = -2;
const INDEX = -3;

/** A literal key, or one of the wildcards above. */
type Segment = string | number;

/** NFA states are packed as rule * STRIDE + position: small integers, cheap to compare and copy. */
const STRIDE = 1024;

/**
 * A set of live NFA states. Sets are interned and remember their transitions, so after warm-up a key
 * costs one Map lookup: the redactor lives as long as the pipeline and bodies repeat their shapes.
 */
export interface StateSet {
  readonly states: readonly number[];
  /** Allowlist only: an allowed ancestor keeps this whole subtree (the default denylist still applies). */
  readonly kept: boolean;
  readonly memo: Map<string | number, Step>;
}

export interface Step {
  /** States alive below this key (empty: no rule reaches further). */
  readonly next: StateSet;
  /** Some rule ends exactly at this key. */
  readonly matched: boolean;
}

/** Bounds on the caches: keys are data (ids, hashes), so they must not grow without limit. */
const MAX_MEMO = 512;
const MAX_SETS = 1024;

export function stateSet(states: readonly number[], kept = false): StateSet {
  return { states, kept, memo: new Map() };
}

const BRACKETS = /\[(\d*)\]/g;
const DIGITS = /^\d+$/;

/** Splits one entry into segments; undefined for an entry with nothing usable in it. */
export function parseEntry(entry: string): Segment[] | undefined {
  const segments: Segment[] = [];
  for (const part of entry.trim().split('.')) {
    if (part === '') continue;
    if (part === '**') {
      if (segments[segments.length - 1] !== GLOB) segments.push(GLOB);
      continue;
    }
    const open = part.indexOf('[');
    const head = open === -1 ? part : part.slice(0, open);
    if (head === '*') segments.push(STAR);
    else if (head !== '') segments.push(head);
    if (open === -1) continue;
    for (const m of part.slice(open).matchAll(BRACKETS)) segments.push(m[1] === '' ? INDEX : m[1]);
  }
  return segments.length > 0 && segments.length < STRIDE ? segments : undefined;
}

function isPlain(segments: Segment[]): boolean {
  return segments.length === 1 && typeof segments[0] === 'string';
}

export class RuleSet {
  private readonly rules: Segment[][] = [];
  /** Names a flat place (headers, fields, cookies) matches exactly... */
  readonly flatNames = new Set<string>();
  /** ...and lower-cased, for header names. */
  readonly flatNamesLower = new Set<string>();
  /** An entry such as `*` or `**` that matches every flat name. */
  readonly flatAll: boolean = false;
  /** Live states at the root of a JSON body. */
  readonly start: StateSet;
  /** The empty set: no entry reaches below here. */
  readonly none: StateSet = stateSet([]);
  /** Some entry matches the whole body (`**`). */
  readonly startMatched: boolean;
  private readonly sets = new Map<string, StateSet>();
  /** Without an entry naming an index (`items[2]`), every index steps alike and shares one memo slot. */
  private readonly indexesAlike: boolean;

  constructor(entries: readonly string[]) {
    let flatAll = false;
    for (const entry of entries) {
      const segments = parseEntry(entry);
      if (!segments) continue;
      this.rules.push(segments);
      if (isPlain(segments)) this.rules.push([INDEX, segments[0]]);
      // A flat place is one level deep: an entry applies there when it can match a path of one key.
      const rest = segments.filter((s) => s !== GLOB);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === STAR)) flatAll = true;
      else if (rest.length === 1 && typeof rest[0] === 'string') {
        this.flatNames.add(rest[0]);
        this.flatNamesLower.add(rest[0].toLowerCase());
      }
    }
    this.flatAll = flatAll;
    this.indexesAlike = !this.rules.some((rule) => rule.some((seg) => typeof seg === 'string' && DIGITS.test(seg)));
    const start: number[] = [];
    let matched = false;
    for (let r = 0; r < this.rules.length; r++) matched = this.close(start, r, 0) || matched;
    this.start = this.intern(start);
    this.startMatched = matched;
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Flat places: header names compare case-insensitively, field names exactly. */
  matchesFlat(name: string, header: boolean): boolean {
    return this.flatAll || (header ? this.flatNamesLower.has(name.toLowerCase()) : this.flatNames.has(name));
  }

  /** Moves every live state over one key (an object key, or an array index as a number). */
  step(set: StateSet, key: string | number): Step {
    const slot = typeof key === 'number' && this.indexesAlike ? -1 : key;
    const known = set.memo.get(slot);
    if (known) return known;
    const next: number[] = [];
    let matched = false;
    for (const state of set.states) {
      const r = (state / STRIDE) | 0;
      const p = state % STRIDE;
      const rule = this.rules[r];
      if (p >= rule.length) continue;
      const seg = rule[p];
      let to = -1;
      if (seg === GLOB) to = p;
      else if (seg === STAR) to = p + 1;
      else if (seg === INDEX) to = typeof key === 'number' ? p + 1 : -1;
      else if (typeof key === 'string' ? key === seg : String(key) === seg) to = p + 1;
      if (to !== -1) matched = this.close(next, r, to) || matched;
    }
    const step: Step = { next: this.intern(next), matched };
    if (set.memo.size < MAX_MEMO) {
      const copy = typeof slot === 'number' ? slot : cacheKey(slot);
      if (copy !== undefined) set.memo.set(copy, step);
    }
    return step;
  }

  private intern(states: number[]): StateSet {
    if (states.length === 0) return this.none;
    states.sort((a, b) => a - b);
    const id = states.join(',');
    let set = this.sets.get(id);
    if (!set) {
      set = stateSet(states);
      if (this.sets.size < MAX_SETS) this.sets.set(id, set);
    }
    return set;
  }

  /** Adds a state and everything reachable from it without consuming a key; true when a rule ends there. */
  private close(out: number[], r: number, p: number): boolean {
    const rule = this.rules[r];
    for (;;) {
      const code = r * STRIDE + p;
      if (!out.includes(code)) out.push(code);
      if (p >= rule.length) return true;
      if (rule[p] !== GLOB) return false;
      p++;
    }
  }
}
