import { defaultDenied } from './defaults';
import { defaultKeyFilter } from './key-filter';
import { RuleSet, stateSet, type StateSet } from './rules';

export interface RedactOptions {
  denylist?: readonly string[];
  allowlist?: readonly string[];
  defaultDenylist: boolean;
}

/** What to do with the value under one JSON key. */
export const REDACT = 0;
export const KEEP = 1;
/** Otherwise: descend into the container and judge its children with this set. */
export type Verdict = typeof REDACT | typeof KEEP | StateSet;
export type Scope = StateSet;

/** Below an allowed key: only the default denylist is left to apply. */
const KEPT: Scope = stateSet([], true);

/**
 * The user's lists and the default denylist folded into two questions, compiled once per redactor:
 * is this flat name (header, field, cookie) redacted, and what happens under this JSON key.
 * A denylist overrides an allowlist entirely (seed semantics); the default denylist adds to either.
 */
export class Policy {
  readonly mode: 'deny' | 'allow' | 'none';
  /** False when nothing can ever be redacted: the redactor is then a no-op. */
  readonly active: boolean;
  /** Verdict for the top-level JSON value; REDACT/KEEP only for the match-everything entry `**`. */
  readonly root: Verdict;
  private readonly rules: RuleSet;
  private readonly isDefault: ((key: string) => boolean) | undefined;
  private readonly isDefaultHeader: ((key: string) => boolean) | undefined;
  private readonly mayBeDefault: ((s: string, start: number, end: number) => boolean) | undefined;

  constructor(opts: RedactOptions) {
    const deny = opts.denylist?.length ? new RuleSet(opts.denylist) : undefined;
    const allow = !deny && opts.allowlist?.length ? new RuleSet(opts.allowlist) : undefined;
    // An allowlist whose entries are all unusable still means "keep nothing": fail closed.
    this.mode = deny && !deny.empty ? 'deny' : allow ? 'allow' : 'none';
    this.rules = (this.mode === 'deny' ? deny : allow) ?? new RuleSet([]);
    this.isDefault = opts.defaultDenylist ? defaultDenied() : undefined;
    this.isDefaultHeader = opts.defaultDenylist ? defaultDenied(true) : undefined;
    this.mayBeDefault = opts.defaultDenylist ? defaultKeyFilter() : undefined;
    this.active = this.mode !== 'none' || this.isDefault !== undefined;
    const start = this.rules.start;
    if (this.mode === 'deny') this.root = this.rules.startMatched ? REDACT : start;
    else if (this.mode === 'allow') this.root = this.rules.startMatched ? KEPT : start;
    else this.root = this.rules.none;
  }

  /** Headers (case-insensitive names), query/form/multipart fields and cookies. */
  flatRedacted(name: string, header: boolean): boolean {
    if ((header ? this.isDefaultHeader : this.isDefault)?.(name)) return true;
    if (this.mode === 'deny') return this.rules.matchesFlat(name, header);
    if (this.mode === 'allow') return !this.rules.matchesFlat(name, header);
    return false;
  }

  /**
   * Whether the key spelled by s[start, end) of a JSON text needs judge(); when false, plain() is its
   * verdict. Only the default denylist can be ruled out in place: the user's entries have paths and
   * wildcards, and an allowlist judges every key.
   */
  needsJudging(s: string, start: number, end: number): boolean {
    if (this.mode !== 'none') return true;
    return this.mayBeDefault !== undefined && this.mayBeDefault(s, start, end);
  }

  /** The verdict for a key on no list (see needsJudging): a container is walked for the default denylist. */
  plain(container: boolean): Verdict {
    return container && this.isDefault ? this.rules.none : KEEP;
  }

  /** The verdict for the value under `key` (an index for array elements) of a container judged by `scope`. */
  judge(scope: Scope, key: string | number, container: boolean): Verdict {
    if (typeof key === 'string' && this.isDefault?.(key)) return REDACT;
    const deeper = container && this.isDefault ? (scope.kept ? KEPT : this.rules.none) : KEEP;
    if (this.mode === 'deny') {
      if (scope.states.length === 0) return deeper;
      const { next, matched } = this.rules.step(scope, key);
      if (matched) return REDACT;
      if (!container) return KEEP;
      return next.states.length > 0 ? next : deeper;
    }
    if (this.mode === 'allow') {
      if (scope.kept) return container && this.isDefault ? KEPT : KEEP;
      const { next, matched } = this.rules.step(scope, key);
      if (matched) return container && this.isDefault ? KEPT : KEEP;
      return container && next.states.length > 0 ? next : REDACT;
    }
    return deeper;
  }
}
