// Shared by the agent desk and the supervisor board: sign-in, the board (kept at its newest
// version, whichever way it came: the topic or GET centre/board), and small rendering helpers.
// Every URL is relative to the page, so the example also works under a context path.

import { SwitchboardClient } from './js/switchboard.js';

export const BOARD_TOPIC = 'call-centre.board';

/** The page's ?name=, or back to the sign-in page. */
export function nameFromQuery() {
  const name = new URLSearchParams(location.search).get('name');
  if (!name) location.replace('./');
  return name;
}

/** Demo sign-in: {token, user, channelId} for `name` in `role`. */
export async function signIn(name, role) {
  const res = await fetch('centre/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, role }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `sign-in answered ${res.status}`);
  return body;
}

/**
 * Connects with `session`, follows the board topic and calls `onBoard(board)` with every newer
 * board; shows the connection's state in #conn-state. Returns the client.
 */
export function connect(session, onBoard) {
  const client = new SwitchboardClient({ token: () => session.token, channelId: session.channelId });
  let version = -1;
  const offer = (board) => {
    if (board && board.version > version) {
      version = board.version;
      onBoard(board);
    }
  };
  const state = document.getElementById('conn-state');
  const show = (text, s) => { state.textContent = text; state.dataset.state = s; };
  client.subscribe(BOARD_TOPIC, (m) => offer(m.data));
  client.on('subscribed', () => {
    // The board as it is now: covers whatever changed before the subscription (or while away).
    fetch('centre/board').then((r) => r.json()).then(offer).catch((e) => console.warn('board', e));
  });
  client.on('connecting', () => show('connecting', 'connecting'));
  client.on('open', () => show('open', 'open'));
  client.on('reconnecting', () => show('reconnecting', 'reconnecting'));
  client.on('closed', (e) => {
    if (!e.willRetry) show(e.status === 409 ? 'refused: this desk is open in another tab' : `closed ${e.code}`, 'closed');
    else if (e.status === 409) show('this desk is open in another tab: waiting for it to close', 'reconnecting');
  });
  client.connect().catch((e) => show(`stopped: ${e.message}`, 'closed'));
  return client;
}

export function statusText(status) {
  return (status || 'OFFLINE').toLowerCase().replace('_', ' ');
}

export function since(iso) {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** An element with text and attributes (no HTML parsing of data). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('data-')) node.dataset[k.slice(5).replace(/-(.)/g, (_, c) => c.toUpperCase())] = v;
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

/** Replaces `list`'s items, or shows `empty` when there are none. */
export function fill(list, items, empty) {
  list.replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, empty)]));
}

/** The calls not yet answered, oldest first: the queue. */
export function queueOf(board) {
  return board.calls.filter((c) => c.state !== 'CONNECTED');
}

export function queueItem(call) {
  const state = call.state === 'RINGING' ? `ringing ${call.agent}` : 'waiting';
  return el('li', { 'data-call-id': call.id, 'data-state': call.state },
    el('span', { class: 'caller' }, call.caller),
    el('span', { class: 'badge', 'data-state': call.state }, state),
    el('span', { class: 'muted' }, `for ${since(call.since)}`));
}
