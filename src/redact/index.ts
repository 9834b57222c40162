import type { MetricsLog } from '../har/types';

export interface RedactOptions {
  denylist?: readonly string[];
  allowlist?: readonly string[];
  defaultDenylist: boolean;
}

/** Placeholder until the redaction module lands: returns a function that redacts a log in place. */
export function createRedactor(_opts: RedactOptions): (log: MetricsLog) => void {
  return () => {};
}
