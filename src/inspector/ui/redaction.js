import { h } from './dom.js';

// The SDK replaces a redacted value with "[REDACTED <length>]" (or "[REDACTED]" for non-strings).
const TOKEN = /\[REDACTED(?: (\d+))?\]/g;
const WHOLE = /^\[REDACTED(?: (\d+))?\]$/;

export const isRedacted = (value) => typeof value === 'string' && WHOLE.test(value);

/** A visible badge in place of a redacted value; the raw token stays in the title for copying. */
export function redactedBadge(token) {
  const m = WHOLE.exec(token);
  const length = m && m[1];
  return h(
    'span',
    {
      class: 'redacted',
      title: `${token}: redacted by readme-metrics before it left your app${length ? ` (${length} characters)` : ''}`,
      dataset: { redacted: length || '' },
    },
    h('span', { class: 'redacted-icon', 'aria-hidden': 'true' }),
    'redacted',
    length ? h('span', { class: 'redacted-len' }, length) : null,
  );
}

/** Text with every redaction token turned into a badge. */
export function textWithRedactions(text) {
  const out = [];
  let last = 0;
  for (const m of String(text).matchAll(TOKEN)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(redactedBadge(m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
