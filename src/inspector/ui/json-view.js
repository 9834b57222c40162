import { h } from './dom.js';
import { isRedacted, redactedBadge } from './redaction.js';

const MAX_NODES = 20_000;

/** Pretty-printed, highlighted JSON with redacted values as badges. */
export function jsonView(value) {
  const pre = h('pre', { class: 'code json' });
  const budget = { left: MAX_NODES };
  write(pre, value, '', budget);
  if (budget.left < 0) pre.append(h('span', { class: 'note' }, '\n… cut short: too large to show in full'));
  return pre;
}

function write(out, value, indent, budget) {
  if (--budget.left < 0) return;
  if (value === null) return out.append(h('span', { class: 'j-null' }, 'null'));
  if (typeof value === 'string') {
    if (isRedacted(value)) return out.append(redactedBadge(value));
    return out.append(h('span', { class: 'j-str' }, JSON.stringify(value)));
  }
  if (typeof value === 'number') return out.append(h('span', { class: 'j-num' }, String(value)));
  if (typeof value === 'boolean') return out.append(h('span', { class: 'j-bool' }, String(value)));
  const isArray = Array.isArray(value);
  const items = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return out.append(open + close);
  const inner = `${indent}  `;
  out.append(`${open}\n`);
  items.forEach(([key, v], i) => {
    out.append(inner);
    if (!isArray) out.append(h('span', { class: 'j-key' }, JSON.stringify(key)), ': ');
    write(out, v, inner, budget);
    out.append(i < items.length - 1 ? ',\n' : '\n');
  });
  out.append(indent + close);
}

/** JSON.parse that says no instead of throwing. */
export function tryParseJson(text, mimeType) {
  const t = String(text || '').trim();
  if (!t) return undefined;
  if (!/json/i.test(mimeType || '') && !/^[[{]/.test(t)) return undefined;
  try {
    return { value: JSON.parse(t) };
  } catch {
    return undefined;
  }
}
