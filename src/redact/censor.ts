/** The contract's replacement: strings keep their length so a reader can tell an empty secret from a long one. */
export function censor(value: unknown): string {
  return typeof value === 'string' ? `[REDACTED ${value.length}]` : '[REDACTED]';
}
