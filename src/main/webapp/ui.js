/*
 * What the client page (console.js) and the operator view (operator.js) share: element
 * building, the one time format, and a readable rendering of any JSON value.
 *
 * Untrusted data only ever goes through textContent / setAttribute, never innerHTML.
 */

/** An element with an optional class and text. */
export function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined && text !== null) n.textContent = String(text);
  return n;
}

function pad(n, w = 2) { return String(n).padStart(w, '0'); }

/** The one time format of both pages: HH:MM:SS.mmm, local time (the full instant goes in a title). */
export function clock(d) {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/**
 * A <time> for an instant: HH:MM:SS.mmm, preceded by the date when it is not today, so a
 * channel open since yesterday does not look recent. Anything unparsable is shown as is.
 */
export function timeElement(value, className) {
  const d = value instanceof Date ? value : new Date(value);
  if (value === undefined || value === null || Number.isNaN(d.getTime())) {
    return node('span', className, value ?? '\u2013');
  }
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const t = node('time', className, sameDay ? clock(d) : `${day} ${clock(d)}`);
  t.dateTime = d.toISOString();
  t.title = d.toISOString();
  return t;
}

export function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function pretty(value) {
  try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
}

/** One line of JSON, for the compact frame view. */
export function oneLine(value) {
  try { return typeof value === 'string' ? value : JSON.stringify(value); } catch (e) { return String(value); }
}

const MAX_DEPTH = 8;
const MAX_ITEMS = 200;

/**
 * Any JSON value as nested definition lists (objects) and ordered lists (arrays), with scalars
 * styled by type: readable at any depth, never cut to a fixed height. Past MAX_DEPTH levels or
 * MAX_ITEMS entries the rest is shown as JSON text, wrapped.
 */
export function renderValue(value, depth = 0) {
  if (value === null) return node('span', 'v-null', 'null');
  if (typeof value === 'string') return node('span', 'v-string', value);
  if (typeof value === 'number') return node('span', 'v-number', String(value));
  if (typeof value === 'boolean') return node('span', 'v-bool', String(value));
  if (value === undefined) return node('span', 'v-null', '(no data)');
  if (depth >= MAX_DEPTH) return node('pre', 'v-json', pretty(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return node('span', 'v-empty', '[ ] empty list');
    const ol = node('ol', 'v-list');
    ol.start = 0;
    for (const item of value.slice(0, MAX_ITEMS)) {
      const li = node('li');
      li.append(renderValue(item, depth + 1));
      ol.append(li);
    }
    if (value.length > MAX_ITEMS) ol.append(node('li', 'v-more', `\u2026 ${value.length - MAX_ITEMS} more`));
    return ol;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return node('span', 'v-empty', '{ } empty object');
  const dl = node('dl', 'v-object');
  for (const k of keys.slice(0, MAX_ITEMS)) {
    dl.append(node('dt', null, k));
    const dd = node('dd');
    dd.append(renderValue(value[k], depth + 1));
    dl.append(dd);
  }
  if (keys.length > MAX_ITEMS) dl.append(node('dt', 'v-more', `\u2026 ${keys.length - MAX_ITEMS} more`), node('dd'));
  return dl;
}

/** Textarea content -> message data: JSON if it parses, otherwise the text as a string. */
export function parseData(text) {
  const t = text.trim();
  if (t === '') return text;
  try { return JSON.parse(t); } catch (e) { return text; }
}

/** Encode a path segment; ':' may stay as is. */
export function pathSegment(s) {
  return encodeURIComponent(s).replace(/%3A/gi, ':').replace(/'/g, '%27');
}
