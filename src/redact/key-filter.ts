import { DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS, DEFAULT_DENYLIST_FIELDS, DEFAULT_DENYLIST_SUFFIXES, normalizeKey } from './defaults';

// A JSON body's keys are judged where they lie in the text: most keys of most bodies are on no list,
// and slicing each one out to look it up in a Map was a third of the scanner's time; a test over the
// whole text before the scan cost more than the scan (benchmarks/README.md, "The worker's cost per log").

const ASCII = 128;
const BACKSLASH = 92;

/** The words every default-denied key contains once folded: a word that contains another is covered by it. */
function neededWords(): string[] {
  const words = [...new Set([...DEFAULT_DENYLIST, ...DEFAULT_DENYLIST_FIELDS, ...DEFAULT_DENYLIST_SUFFIXES, ...DEFAULT_DENYLIST_CONTAINS].map(normalizeKey))];
  return words.filter((w) => !words.some((o) => o !== w && w.includes(o)));
}

/**
 * `(s, start, end) => boolean`: false when the key spelled by s[start, end) cannot be on the default
 * denylist, because none of its words occurs in it folded as normalizeKey folds it (ASCII capitals
 * lowered, `-` and `_` dropped). An Aho-Corasick automaton over those words, one table step per
 * character. True, to be judged the long way, for a key with an escape or a non-ASCII character
 * (toLowerCase folds some to ASCII: the Kelvin sign to `k`).
 */
export function defaultKeyFilter(): KeyFilter {
  // The same words for every redactor: the automaton is built once per process.
  return (shared ??= buildKeyFilter());
}

type KeyFilter = (s: string, start: number, end: number) => boolean;
let shared: KeyFilter | undefined;

function buildKeyFilter(): KeyFilter {
  const words = neededWords();
  // The trie: goto[state * ASCII + char], -1 where absent; state 0 is the root.
  const goto: number[] = new Array<number>(ASCII).fill(-1);
  const hit: boolean[] = [false];
  for (const word of words) {
    let state = 0;
    for (let k = 0; k < word.length; k++) {
      const c = word.charCodeAt(k);
      if (c >= ASCII) throw new Error(`default denylist word ${word} is not ASCII`);
      let next = goto[state * ASCII + c];
      if (next === -1) {
        next = hit.length;
        hit.push(false);
        goto.push(...new Array<number>(ASCII).fill(-1));
        goto[state * ASCII + c] = next;
      }
      state = next;
    }
    hit[state] = true;
  }
  // Failure links, breadth first, turn the trie into a complete automaton.
  const table = new Int16Array(hit.length * ASCII);
  const fail = new Array<number>(hit.length).fill(0);
  const queue: number[] = [];
  for (let c = 0; c < ASCII; c++) {
    const next = goto[c];
    table[c] = next === -1 ? 0 : next;
    if (next !== -1) queue.push(next);
  }
  while (queue.length > 0) {
    const state = queue.shift()!;
    hit[state] = hit[state] || hit[fail[state]];
    for (let c = 0; c < ASCII; c++) {
      const next = goto[state * ASCII + c];
      if (next === -1) table[state * ASCII + c] = table[fail[state] * ASCII + c];
      else {
        fail[next] = table[fail[state] * ASCII + c];
        table[state * ASCII + c] = next;
        queue.push(next);
      }
    }
  }
  // Folding into the table: capitals step as their lower case, separators stay where they are.
  for (let state = 0; state < hit.length; state++) {
    for (let c = 65; c <= 90; c++) table[state * ASCII + c] = table[state * ASCII + c + 32];
    table[state * ASCII + 45] = state;
    table[state * ASCII + 95] = state;
  }
  const hits = Uint8Array.from(hit, (h) => (h ? 1 : 0));

  return (s, start, end) => {
    let state = 0;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c >= ASCII || c === BACKSLASH) return true;
      state = table[state * ASCII + c];
      if (hits[state] === 1) return true;
    }
    return false;
  };
}
