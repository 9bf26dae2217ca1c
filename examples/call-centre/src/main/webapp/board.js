// The supervisor board: every agent with its status, live. Agents appear and go offline as their
// tabs open and close (Switchboard's UserOnline / UserOffline events, observed by the example's
// AgentPresence, which changes the board that every page follows on the board topic).
//
// Stable ids: #agents > tr[data-agent] (data-status) with .agent-status, #online-count,
// #queue > li[data-call-id], #ring-form, #ring-caller, #ring-agent, #ring-status, #conn-state.

import { nameFromQuery, signIn, connect, statusText, el, fill, queueOf, queueItem } from './centre.js';

const name = nameFromQuery();
const $ = (id) => document.getElementById(id);
let board = { version: -1, agents: [], calls: [] };

function render() {
  const rows = board.agents.map((a) => {
    const call = board.calls.find((c) => c.id === a.callId);
    return el('tr', { 'data-agent': a.name, 'data-status': a.status },
      el('td', {}, a.name),
      el('td', {}, el('span', { class: 'badge agent-status', 'data-status': a.status }, statusText(a.status))),
      el('td', { class: 'muted' }, call ? `${call.caller} (${call.id})` : ''));
  });
  $('agents').replaceChildren(...(rows.length ? rows
    : [el('tr', { class: 'empty' }, el('td', { colspan: '3', class: 'muted' }, 'No agent has signed in yet.'))]));
  const online = board.agents.filter((a) => a.status !== 'OFFLINE').length;
  $('online-count').textContent = `${online} online`;
  fill($('queue'), queueOf(board).map(queueItem), 'No call waiting.');
  const chosen = $('ring-agent').value;
  $('ring-agent').replaceChildren(el('option', { value: '' }, 'first free agent'),
    ...board.agents.filter((a) => a.status === 'AVAILABLE').map((a) => el('option', { value: a.name }, a.name)));
  $('ring-agent').value = [...$('ring-agent').options].some((o) => o.value === chosen) ? chosen : '';
}

try {
  const session = await signIn(name, 'supervisor');
  connect(session, (b) => { board = b; render(); });
} catch (e) {
  $('notice').textContent = `Cannot sign in: ${e.message}`;
}

$('ring-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = { caller: $('ring-caller').value };
  if ($('ring-agent').value) body.agent = $('ring-agent').value;
  const res = await fetch('centre/calls', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = await res.json();
  $('ring-status').textContent = res.ok ? `call ${answer.id}: ${answer.state.toLowerCase()}` : answer.message;
});
