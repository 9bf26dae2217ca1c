// The agent's desk: a call pushed to this agent pops up at once (#incoming-call) with Accept and
// Reject; the queue, this agent's status and the team come from the board topic.
//
// Stable ids for people and tests: #agent-status (data-status), #conn-state (data-state),
// #incoming-call (hidden unless a call is offered; data-call-id), #accept-btn, #reject-btn,
// #current-call (hidden unless on a call), #hangup-btn, #queue > li[data-call-id],
// #team > li[data-agent] (data-status), #notice.

import { nameFromQuery, signIn, connect, statusText, since, el, fill, queueOf, queueItem } from './centre.js';

const name = nameFromQuery();
document.getElementById('agent-name').textContent = name;
document.title = `Desk of ${name}`;

const $ = (id) => document.getElementById(id);
let board = { version: -1, agents: [], calls: [] };
/** The newest offer pushed to this agent: {version, call}. */
let offer = null;

function render() {
  const me = board.agents.find((a) => a.name === name);
  const status = me?.status || 'OFFLINE';
  $('agent-status').textContent = statusText(status);
  $('agent-status').dataset.status = status;

  const mine = board.calls.find((c) => c.agent === name);
  // An offer newer than the board pops up at once; the board then says the same, or says the call
  // went elsewhere (a late offer from the inbox, after this agent's tab was gone a while).
  const ringing = mine?.state === 'RINGING' ? mine : (offer && offer.version >= board.version ? offer.call : null);
  const popup = $('incoming-call');
  popup.hidden = !ringing;
  if (ringing) {
    popup.dataset.callId = ringing.id;
    $('incoming-caller').textContent = ringing.caller;
    $('incoming-id').textContent = ringing.id;
  } else {
    delete popup.dataset.callId;
  }

  const talking = mine?.state === 'CONNECTED' ? mine : null;
  $('current-call').hidden = !talking;
  if (talking) {
    $('current-call').dataset.callId = talking.id;
    $('current-caller').textContent = talking.caller;
    $('current-since').textContent = `since ${new Date(talking.since).toLocaleTimeString()}`;
  }

  fill($('queue'), queueOf(board).map(queueItem), 'No call waiting.');
  fill($('team'), board.agents.filter((a) => a.name !== name).map((a) =>
    el('li', { 'data-agent': a.name, 'data-status': a.status },
      el('span', {}, a.name), el('span', { class: 'badge', 'data-status': a.status }, statusText(a.status)))),
  'Nobody else yet.');
}

let client;
try {
  const session = await signIn(name, 'agent');
  client = connect(session, (b) => { board = b; render(); });
  client.on('message', (m) => {
    if (!m.user || !m.data) return; // topic messages are the board's
    if (m.data.type === 'offer') {
      offer = m.data;
      $('notice').textContent = '';
      render(); // shown before this handler returns: the client acks the offer after that
    } else if (m.data.type === 'withdrawn') {
      if (offer?.call.id === m.data.call.id) offer = null;
      $('notice').textContent = `Call ${m.data.call.id} is no longer yours: it was answered elsewhere or ended.`;
      render();
    }
  });
} catch (e) {
  $('notice').textContent = `Cannot sign in: ${e.message}`;
}

function answer(destination) {
  const callId = $('incoming-call').dataset.callId;
  if (!callId) return;
  offer = null;
  client.send(destination, callId);
}
$('accept-btn').addEventListener('click', () => answer('accept'));
$('reject-btn').addEventListener('click', () => answer('reject'));
$('hangup-btn').addEventListener('click', () => client.send('hangup', $('current-call').dataset.callId));
setInterval(() => { if (board.calls.length) fill($('queue'), queueOf(board).map(queueItem), 'No call waiting.'); }, 1000);
