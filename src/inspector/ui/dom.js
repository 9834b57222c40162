// DOM helpers. Everything from a log is set as text or attribute, never parsed as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h('td', { class: 'x' }, 'text', otherNode) */
export const h = (tag, props, ...children) => build(document.createElement(tag), props, children);

/** The same for inline SVG charts. */
export const s = (tag, props, ...children) => build(document.createElementNS(SVG_NS, tag), props, children);

export const $ = (selector, root = document) => root.querySelector(selector);

export function statusClass(status) {
  const c = Math.floor(Number(status) / 100);
  return c >= 1 && c <= 5 ? c : 0;
}

export function consumerName(consumer) {
  if (!consumer) return 'unknown';
  if (consumer.label) return consumer.label;
  if (consumer.email) return consumer.email;
  const tail = String(consumer.id || '').split('?')[1];
  return tail ? `key …${tail}` : 'unknown';
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

export function clockTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function duration(ms) {
  const n = Number(ms) || 0;
  if (n < 1) return '<1 ms';
  if (n < 1000) return `${Math.round(n)} ms`;
  return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`;
}

export function bytes(n) {
  const v = Number(n) || 0;
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}
