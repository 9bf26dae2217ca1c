/*
 * Switchboard operator view: the HTTP API (docs/http-api.md) with the API key, in one page.
 * Live charts from GET api/v1/stats (polled every second: the counters are cumulative, so
 * rates are the difference between two polls over the time between them), open channels,
 * users online, topics with their followers, a user's or channel's inbox and dead letters, push, and
 * disconnect. No server state of its own, no library: charts are inline SVG.
 *
 * Stable element ids (for people and browser tests):
 *
 *   #signin-form, #api-key, #api-key-show, #signin-btn, #signout-btn, #signin-status
 *   #op-state              text "signed out" | "signed in" | "error"; data-state = out|in|error
 *   #dashboard             shown once signed in
 *   #charts                one <figure class="chart" data-chart="sessions|in|out|dropped|slow">
 *                          per figure, with .chart-value (data-value: the latest total) and
 *                          an <svg> holding one <polyline data-node="..."> per node
 *   #live-status           "updated HH:MM:SS.mmm" or the error; #live-pause checkbox
 *   #stats-body            one <tr data-node-id> per node: .node-sessions .node-subscriptions
 *                          .node-in .node-out .node-dropped .node-redelivered .node-dead .node-slow
 *   #push-form             radios #push-kind-topic|user|channel|everyone, #push-target,
 *                          #push-destination (user), #push-ack, #push-data, #push-btn;
 *                          #push-status: "accepted id … · N sessions" or the server's error
 *   #op-channels-body      one <tr data-channel-id> per open channel, with .ch-user and the
 *                          buttons .ch-inbox and .ch-disconnect; #op-channels-status (the
 *                          list's count and time), #op-channels-action (the last disconnect)
 *   #users-body            one <tr data-user> per user with an open channel: .user-count, .user-inbox
 *   #topics-form, #topic-watch; #topics-body: one <tr data-topic> per followed or watched
 *                          topic with .topic-subscribers (distinct users), .topic-users (watched
 *                          ones), .topic-start-watching or .topic-remove; #topics-note
 *   #inbox-form, #inbox-kind (user|channel), #inbox-name, #inbox-btn, #inbox-status,
 *   #inbox-pending-body, #inbox-dead-body: one <tr data-id> per entry
 */
import { node, clock, timeElement, isPlainObject, renderValue, parseData, pathSegment } from './ui.js';

(() => {
  const STATS_EVERY_MS = 1000;
  const LISTS_EVERY_MS = 3000;
  /** Two minutes of one-second samples. */
  const SAMPLES = 120;
  const STORAGE_KEY = 'switchboard.operator.apiKey';
  const STORAGE_TOPICS = 'switchboard.operator.topics';
  const BASE = new URL('.', location.href);

  const CHARTS = [
    { key: 'sessions', title: 'Sessions', unit: '', value: (n) => n.sessions },
    { key: 'in', title: 'Messages in', unit: '/s', rate: (n) => n.messagesIn },
    { key: 'out', title: 'Messages out', unit: '/s', rate: (n) => n.messagesOut },
    { key: 'dropped', title: 'Dropped', unit: '/s', rate: (n) => n.dropped },
    { key: 'slow', title: 'Slow-consumer closes', unit: '/s', rate: (n) => n.slowConsumersClosed },
  ];
  const COLOURS = ['#2f6fed', '#14884a', '#c2410c', '#7c3aed', '#0e7490', '#b91c1c'];

  const $ = (id) => document.getElementById(id);
  const el = {
    signinForm: $('signin-form'), apiKey: $('api-key'), apiKeyShow: $('api-key-show'),
    signinBtn: $('signin-btn'), signoutBtn: $('signout-btn'), signinStatus: $('signin-status'),
    opState: $('op-state'), dashboard: $('dashboard'),
    charts: $('charts'), liveStatus: $('live-status'), livePause: $('live-pause'), statsBody: $('stats-body'),
    pushForm: $('push-form'), pushTarget: $('push-target'), pushTargetLabel: $('push-target-label'),
    pushUserOptions: $('push-user-options'), pushDestination: $('push-destination'),
    pushAck: $('push-ack'), pushAckLabel: $('push-ack-label'), pushData: $('push-data'), pushStatus: $('push-status'),
    refreshBtn: $('op-refresh-btn'), channelsStatus: $('op-channels-status'), channelsAction: $('op-channels-action'), channelsBody: $('op-channels-body'),
    usersBody: $('users-body'),
    topicsForm: $('topics-form'), topicWatch: $('topic-watch'), topicsBody: $('topics-body'), topicsNote: $('topics-note'),
    inboxForm: $('inbox-form'), inboxKind: $('inbox-kind'), inboxName: $('inbox-name'),
    inboxStatus: $('inbox-status'), inboxPending: $('inbox-pending-body'), inboxDead: $('inbox-dead-body'),
  };

  /** The credential in use, or null when signed out. */
  let apiKey = null;
  let statsTimer = null;
  let listsTimer = null;

  // ---------------------------------------------------------------- HTTP API

  /** Calls api/v1 with the key. Resolves to { status, body } or { status, error: "<status>: <message>" }. */
  async function api(method, relPath, body) {
    const res = await fetch(new URL(relPath, BASE), {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`, Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (res.ok) return { status: res.status, body: json };
    const msg = isPlainObject(json) && typeof json.message === 'string' ? json.message : res.statusText;
    return { status: res.status, error: `${res.status}: ${msg || 'request failed'}` };
  }

  function setStatus(elem, text, isError = false) {
    elem.textContent = text;
    elem.classList.toggle('is-error', isError);
  }

  function emptyRow(tbody, cols, text) {
    const tr = node('tr', 'empty');
    const td = node('td', null, text);
    td.colSpan = cols;
    tr.append(td);
    tbody.replaceChildren(tr);
  }

  function button(className, text, label, onClick) {
    const b = node('button', `btn btn-small-text ${className}`, text);
    b.type = 'button';
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  // ---------------------------------------------------------------- sign in

  function setSigned(state, text) {
    el.opState.dataset.state = state;
    el.opState.textContent = text;
    document.body.dataset.signed = state;
  }

  async function signIn(key) {
    key = key.trim();
    if (!key) {
      setStatus(el.signinStatus, 'Enter the API key first.', true);
      el.apiKey.focus();
      return;
    }
    apiKey = key;
    el.signinBtn.disabled = true;
    try {
      const res = await api('GET', 'api/v1/stats');
      if (res.error) {
        apiKey = null;
        setSigned('error', 'not signed in');
        setStatus(el.signinStatus, `Refused: ${res.error}`, true);
        el.apiKey.focus();
        return;
      }
      try { sessionStorage.setItem(STORAGE_KEY, key); } catch (e) { /* storage disabled */ }
      setSigned('in', 'signed in');
      setStatus(el.signinStatus, `Signed in \u00b7 ${clock(new Date())}`);
      el.signoutBtn.disabled = false;
      el.dashboard.hidden = false;
      onStats(res.body);
      start();
    } catch (e) {
      apiKey = null;
      setSigned('error', 'not signed in');
      setStatus(el.signinStatus, `Could not reach the server: ${e.message}`, true);
    } finally {
      el.signinBtn.disabled = false;
    }
  }

  function signOut() {
    apiKey = null;
    clearInterval(statsTimer);
    clearInterval(listsTimer);
    statsTimer = listsTimer = null;
    try { sessionStorage.removeItem(STORAGE_KEY); } catch (e) { /* storage disabled */ }
    el.apiKey.value = '';
    el.dashboard.hidden = true;
    el.signoutBtn.disabled = true;
    setSigned('out', 'signed out');
    setStatus(el.signinStatus, 'Signed out.');
    el.apiKey.focus();
  }

  function start() {
    clearInterval(statsTimer);
    clearInterval(listsTimer);
    statsTimer = setInterval(() => { if (!el.livePause.checked && visible()) pollStats(); }, STATS_EVERY_MS);
    listsTimer = setInterval(() => { if (visible()) refreshLists(); }, LISTS_EVERY_MS);
    refreshLists();
  }

  function visible() { return document.visibilityState === 'visible'; }

  // ---------------------------------------------------------------- live charts

  /** time (ms) and per node the raw figures, oldest first. */
  const samples = [];
  let statsInFlight = false;

  async function pollStats() {
    if (statsInFlight || !apiKey) return;
    statsInFlight = true;
    try {
      const res = await api('GET', 'api/v1/stats');
      if (res.error) {
        setStatus(el.liveStatus, res.error, true);
        if (res.status === 401 || res.status === 403) { setSigned('error', 'key refused'); }
        return;
      }
      onStats(res.body);
    } catch (e) {
      setStatus(el.liveStatus, `server unreachable: ${e.message}`, true);
    } finally {
      statsInFlight = false;
    }
  }

  function onStats(body) {
    const nodes = isPlainObject(body) && Array.isArray(body.nodes) ? body.nodes.filter(isPlainObject) : [];
    if (nodes.length === 0 && isPlainObject(body?.total)) nodes.push({ node: 'total', ...body.total });
    const now = Date.now();
    samples.push({ t: now, nodes: new Map(nodes.map((n) => [String(n.node), n])) });
    while (samples.length > SAMPLES + 1) samples.shift();
    setStatus(el.liveStatus, `updated ${clock(new Date(now))}`);
    renderStatsTable(nodes);
    renderCharts();
  }

  /** Per chart, per node: the points [t, value] of the window (rates from consecutive samples). */
  function seriesOf(chart) {
    const byNode = new Map();
    for (let i = 0; i < samples.length; i += 1) {
      const s = samples[i];
      for (const [id, n] of s.nodes) {
        let v;
        if (chart.value) {
          v = chart.value(n);
        } else {
          const prev = i > 0 ? samples[i - 1].nodes.get(id) : undefined;
          if (!prev) continue;
          const dt = (s.t - samples[i - 1].t) / 1000;
          // A counter going down means the node restarted: no rate for that step.
          const d = chart.rate(n) - chart.rate(prev);
          v = dt > 0 && d >= 0 ? d / dt : undefined;
        }
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        if (!byNode.has(id)) byNode.set(id, []);
        byNode.get(id).push([s.t, v]);
      }
    }
    return byNode;
  }

  function niceMax(v) {
    if (v <= 1) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function format(v) {
    return v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
  }

  const SVG = 'http://www.w3.org/2000/svg';
  const W = 600;
  const H = 140;

  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  function buildCharts() {
    for (const c of CHARTS) {
      const fig = node('figure', 'chart');
      fig.dataset.chart = c.key;
      const cap = node('figcaption', 'chart-head');
      const value = node('span', 'chart-value', '\u2013');
      cap.append(node('span', 'chart-title', `${c.title}${c.unit ? ' per second' : ''}`), value);
      const box = node('div', 'chart-box');
      const max = node('span', 'chart-max', '');
      const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
      svg.setAttribute('aria-label', `${c.title}, last two minutes`);
      box.append(max, svg);
      const legend = node('ul', 'chart-legend');
      fig.append(cap, box, legend);
      el.charts.append(fig);
      c.el = { value, svg, max, legend };
    }
  }

  function renderCharts() {
    const tEnd = samples.length ? samples[samples.length - 1].t : Date.now();
    const tStart = tEnd - SAMPLES * STATS_EVERY_MS;
    const nodeIds = [...new Set(samples.flatMap((s) => [...s.nodes.keys()]))].sort();
    for (const c of CHARTS) {
      const series = seriesOf(c);
      let top = 0;
      for (const pts of series.values()) for (const [, v] of pts) top = Math.max(top, v);
      const max = niceMax(top);
      const children = [];
      for (const f of [0.25, 0.5, 0.75]) {
        children.push(svgEl('line', { x1: 0, x2: W, y1: H * f, y2: H * f, class: 'chart-grid' }));
      }
      let total = 0;
      const legendItems = [];
      nodeIds.forEach((id, i) => {
        const pts = series.get(id) || [];
        const colour = COLOURS[i % COLOURS.length];
        if (pts.length > 0) {
          const points = pts.map(([t, v]) => `${(((t - tStart) / (tEnd - tStart || 1)) * W).toFixed(1)},${(H - (v / max) * (H - 4) - 2).toFixed(1)}`);
          const line = svgEl('polyline', { points: points.join(' '), fill: 'none', stroke: colour, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' });
          line.dataset.node = id;
          children.push(line);
          total += pts[pts.length - 1][1];
        }
        const li = node('li');
        const swatch = node('span', 'swatch');
        swatch.style.background = colour;
        li.append(swatch, node('span', null, `${id}: ${pts.length ? format(pts[pts.length - 1][1]) : '\u2013'}`));
        legendItems.push(li);
      });
      c.el.svg.replaceChildren(...children);
      c.el.max.textContent = format(max);
      c.el.value.textContent = `${format(total)}${c.unit}`;
      c.el.value.dataset.value = String(total);
      c.el.legend.replaceChildren(...legendItems);
    }
  }

  function renderStatsTable(nodes) {
    const rows = [];
    for (const n of [...nodes].sort((a, b) => String(a.node).localeCompare(String(b.node)))) {
      const tr = node('tr');
      tr.dataset.nodeId = String(n.node);
      const cell = (cls, v) => node('td', `num ${cls}`, typeof v === 'number' ? v : '\u2013');
      tr.append(node('td', 'node-id', n.node ?? '\u2013'),
        cell('node-sessions', n.sessions), cell('node-subscriptions', n.subscriptions),
        cell('node-in', n.messagesIn), cell('node-out', n.messagesOut), cell('node-dropped', n.dropped),
        cell('node-redelivered', n.redelivered), cell('node-dead', n.deadLettered), cell('node-slow', n.slowConsumersClosed));
      rows.push(tr);
    }
    if (rows.length === 0) emptyRow(el.statsBody, 9, 'No nodes reported.');
    else el.statsBody.replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- channels, users, topics

  let listsInFlight = false;

  async function refreshLists() {
    if (listsInFlight || !apiKey) return;
    listsInFlight = true;
    try {
      await Promise.all([refreshChannels(), refreshTopics()]);
    } finally {
      listsInFlight = false;
    }
  }

  async function refreshChannels() {
    try {
      const res = await api('GET', 'api/v1/channels');
      if (res.error) { setStatus(el.channelsStatus, res.error, true); return; }
      const list = Array.isArray(res.body?.channels) ? res.body.channels.filter(isPlainObject) : [];
      renderChannels(list);
      renderUsers(list);
      setStatus(el.channelsStatus, `${list.length} open ${list.length === 1 ? 'channel' : 'channels'} \u00b7 updated ${clock(new Date())}`);
    } catch (e) {
      setStatus(el.channelsStatus, `Could not load channels: ${e.message}`, true);
    }
  }

  function renderChannels(list) {
    const rows = [];
    for (const ch of [...list].sort((a, b) => String(a.channelId).localeCompare(String(b.channelId)))) {
      const id = String(ch.channelId);
      const tr = node('tr');
      tr.dataset.channelId = id;
      const since = node('td', 'ch-since');
      since.append(timeElement(ch.since));
      const actions = node('td', 'row-actions');
      actions.append(
        button('ch-inbox', 'Inbox', `Show the inbox of channel ${id}`, () => showInbox('channel', id)),
        button('ch-disconnect btn-danger', 'Disconnect', `Disconnect channel ${id}`, () => disconnect(id)),
      );
      tr.append(node('td', 'ch-id', id), node('td', 'ch-user', ch.user ?? '\u2013'), node('td', 'ch-node', ch.node ?? '\u2013'), since, actions);
      rows.push(tr);
    }
    if (rows.length === 0) emptyRow(el.channelsBody, 5, 'No open channels.');
    else keepFocus(el.channelsBody, rows);
  }

  function renderUsers(list) {
    const counts = new Map();
    for (const ch of list) {
      const u = String(ch.user ?? '');
      if (u) counts.set(u, (counts.get(u) ?? 0) + 1);
    }
    const rows = [];
    for (const [user, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
      const tr = node('tr');
      tr.dataset.user = user;
      const actions = node('td', 'row-actions');
      actions.append(
        button('user-push', 'Push', `Push to user ${user}`, () => preparePush('user', user)),
        button('user-inbox', 'Inbox', `Show the inbox of user ${user}`, () => showInbox('user', user)),
      );
      tr.append(node('td', 'user-id', user), node('td', 'num user-count', n), actions);
      rows.push(tr);
    }
    if (rows.length === 0) emptyRow(el.usersBody, 3, 'No users online.');
    else keepFocus(el.usersBody, rows);
  }

  /**
   * Replaces a table's rows without losing the keyboard focus: the refresh every few seconds
   * must not throw a keyboard user out of the row they are on.
   */
  function keepFocus(tbody, rows) {
    const active = document.activeElement;
    const label = tbody.contains(active) ? active.getAttribute('aria-label') : null;
    tbody.replaceChildren(...rows);
    if (label) {
      const again = [...tbody.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === label);
      again?.focus();
    }
  }

  async function disconnect(channelId) {
    try {
      const res = await api('DELETE', `api/v1/channels/${pathSegment(channelId)}`);
      if (res.error) setStatus(el.channelsAction, `Disconnect ${channelId}: ${res.error}`, true);
      else setStatus(el.channelsAction, `Disconnected channel ${channelId} (closed with 4000) \u00b7 ${clock(new Date())}`);
    } catch (e) {
      setStatus(el.channelsAction, `Disconnect ${channelId}: ${e.message}`, true);
    }
    await refreshChannels();
    el.refreshBtn.focus();
  }

  function watchedTopics() {
    try {
      const list = JSON.parse(localStorage.getItem(STORAGE_TOPICS) || '[]');
      return Array.isArray(list) ? list.filter((t) => typeof t === 'string') : [];
    } catch (e) {
      return [];
    }
  }

  function watch(topic) {
    const list = watchedTopics();
    if (!list.includes(topic)) {
      list.push(topic);
      try { localStorage.setItem(STORAGE_TOPICS, JSON.stringify(list.sort())); } catch (e) { /* storage disabled */ }
    }
  }

  function unwatch(topic) {
    const list = watchedTopics().filter((t) => t !== topic);
    try { localStorage.setItem(STORAGE_TOPICS, JSON.stringify(list)); } catch (e) { /* storage disabled */ }
    refreshTopics();
    el.topicWatch.focus();
  }

  // Every followed topic comes from GET api/v1/topics (with its count of distinct users); the
  // watched ones are listed even when nobody follows them, and only they get their users named
  // (one presence call each, so a thousand topics do not cost a thousand calls a refresh).
  async function refreshTopics() {
    const watched = watchedTopics();
    const listing = await api('GET', 'api/v1/topics').catch((e) => ({ error: e.message }));
    const listed = Array.isArray(listing.body?.topics) ? listing.body.topics : [];
    const counts = new Map(listed.map((t) => [t.topic, t.users]));
    const topics = [...new Set([...listed.map((t) => t.topic), ...watched])].sort();
    el.topicsNote.textContent = listing.error ? `Topics could not be listed: ${listing.error}`
      : listing.body?.truncated ? `Only the first ${listed.length} topics are listed.` : '';
    if (topics.length === 0) { emptyRow(el.topicsBody, 4, 'No topic has subscribers.'); return; }
    const presence = new Map(await Promise.all(watched.map(async (t) => [t,
      await api('GET', `api/v1/topics/${pathSegment(t)}/presence`).catch((e) => ({ error: e.message }))])));
    const rows = topics.map((topic) => {
      const isWatched = watched.includes(topic);
      const a = presence.get(topic);
      const users = Array.isArray(a?.body?.users) ? a.body.users : null;
      const tr = node('tr');
      tr.dataset.topic = topic;
      const actions = node('td', 'row-actions');
      actions.append(
        button('topic-push', 'Push', `Push to topic ${topic}`, () => preparePush('topic', topic)),
        isWatched
          ? button('topic-remove', 'Stop watching', `Stop watching topic ${topic}`, () => unwatch(topic))
          : button('topic-start-watching', 'Watch', `Watch topic ${topic}: name its users`, () => { watch(topic); refreshTopics(); }),
      );
      const usersText = !isWatched ? '' : users ? users.join(', ') || '\u2013' : a?.error ?? '\u2013';
      tr.append(node('td', 'topic-id', topic),
        node('td', 'num topic-subscribers', String(counts.get(topic) ?? 0)),
        node('td', `topic-users${a?.error ? ' is-error' : ''}`, usersText),
        actions);
      return tr;
    });
    keepFocus(el.topicsBody, rows);
  }

  // ---------------------------------------------------------------- inbox

  async function showInbox(kind, name) {
    name = name.trim();
    if (!name) { el.inboxName.focus(); return; }
    el.inboxKind.value = kind;
    el.inboxName.value = name;
    const path = kind === 'channel' ? `api/v1/channels/${pathSegment(name)}/inbox` : `api/v1/users/${pathSegment(name)}/inbox`;
    try {
      const res = await api('GET', path);
      if (res.error) { setStatus(el.inboxStatus, `${kind} ${name}: ${res.error}`, true); return; }
      const pending = Array.isArray(res.body?.pending) ? res.body.pending.filter(isPlainObject) : [];
      const dead = Array.isArray(res.body?.deadLetters) ? res.body.deadLetters.filter(isPlainObject) : [];
      renderInbox(el.inboxPending, pending, (e) => e.destination ?? '\u2013', 'Nothing pending.');
      renderInbox(el.inboxDead, dead, (e) => e.reason ?? '\u2013', 'No dead letters.');
      setStatus(el.inboxStatus, `${kind} ${name}: ${pending.length} pending, ${dead.length} dead ${dead.length === 1 ? 'letter' : 'letters'} \u00b7 ${clock(new Date())}`);
    } catch (e) {
      setStatus(el.inboxStatus, `${kind} ${name}: ${e.message}`, true);
    }
  }

  function renderInbox(tbody, entries, second, emptyText) {
    if (entries.length === 0) { emptyRow(tbody, 4, emptyText); return; }
    tbody.replaceChildren(...entries.map((e) => {
      const tr = node('tr');
      tr.dataset.id = String(e.id ?? '');
      const since = node('td');
      since.append(timeElement(e.since));
      const data = node('td', 'inbox-data');
      data.append(renderValue(e.data));
      tr.append(since, node('td', 'inbox-second', second(e)), node('td', 'num inbox-attempts', e.attempts ?? '\u2013'), data);
      return tr;
    }));
  }

  // ---------------------------------------------------------------- push

  function pushKind() {
    return el.pushForm.querySelector('input[name="push-kind"]:checked').value;
  }

  function onKindChange() {
    const kind = pushKind();
    const everyone = kind === 'everyone';
    el.pushTarget.disabled = everyone;
    el.pushTarget.hidden = everyone;
    el.pushTargetLabel.hidden = everyone;
    el.pushTargetLabel.textContent = { topic: 'Topic', user: 'User', channel: 'Channel id' }[kind] ?? '';
    el.pushTarget.placeholder = { topic: 'news', user: 'agent-7', channel: 'desk-1' }[kind] ?? '';
    el.pushUserOptions.hidden = kind !== 'user';
    const ackable = kind === 'user' || kind === 'channel';
    el.pushAck.disabled = !ackable;
    el.pushAckLabel.hidden = !ackable;
  }

  function preparePush(kind, target) {
    el.pushForm.querySelector(`input[name="push-kind"][value="${kind}"]`).checked = true;
    onKindChange();
    el.pushTarget.value = target;
    el.pushData.focus();
  }

  async function push() {
    const kind = pushKind();
    const target = el.pushTarget.value.trim();
    if (kind !== 'everyone' && !target) {
      setStatus(el.pushStatus, `Enter the ${el.pushTargetLabel.textContent.toLowerCase()} first.`, true);
      el.pushTarget.focus();
      return;
    }
    const text = el.pushData.value;
    if (text.trim() === '') {
      setStatus(el.pushStatus, 'Enter the data to push.', true);
      el.pushData.focus();
      return;
    }
    const body = { data: parseData(text) };
    let path;
    if (kind === 'topic') path = `api/v1/topics/${pathSegment(target)}/messages`;
    else if (kind === 'user') path = `api/v1/users/${pathSegment(target)}/messages`;
    else if (kind === 'channel') path = `api/v1/channels/${pathSegment(target)}/messages`;
    else path = 'api/v1/broadcast';
    if (kind === 'user' && el.pushDestination.value.trim()) body.destination = el.pushDestination.value.trim();
    if ((kind === 'user' || kind === 'channel') && el.pushAck.checked) body.ack = true;
    try {
      const res = await api('POST', path, body);
      if (res.error) { setStatus(el.pushStatus, res.error, true); return; }
      const r = res.body ?? {};
      const parts = [`accepted ${r.id ?? ''}`.trim()];
      if (typeof r.sessions === 'number') parts.push(`${r.sessions} ${r.sessions === 1 ? 'session' : 'sessions'}`);
      if (typeof r.offset === 'number') parts.push(`offset ${r.offset}`);
      parts.push(clock(new Date()));
      setStatus(el.pushStatus, parts.join(' \u00b7 '));
      if (kind === 'topic') { watch(target); refreshTopics(); }
    } catch (e) {
      setStatus(el.pushStatus, `Not sent: ${e.message}`, true);
    }
  }

  // ---------------------------------------------------------------- wiring

  el.signinForm.addEventListener('submit', (e) => { e.preventDefault(); signIn(el.apiKey.value); });
  el.signoutBtn.addEventListener('click', signOut);
  el.apiKeyShow.addEventListener('change', () => { el.apiKey.type = el.apiKeyShow.checked ? 'text' : 'password'; });
  el.refreshBtn.addEventListener('click', () => refreshLists());
  el.topicsForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = el.topicWatch.value.trim();
    if (!t) { el.topicWatch.focus(); return; }
    watch(t);
    el.topicWatch.value = '';
    refreshTopics();
  });
  el.inboxForm.addEventListener('submit', (e) => { e.preventDefault(); showInbox(el.inboxKind.value, el.inboxName.value); });
  el.pushForm.addEventListener('submit', (e) => { e.preventDefault(); push(); });
  el.pushForm.addEventListener('change', (e) => { if (e.target.name === 'push-kind') onKindChange(); });
  el.pushData.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); el.pushForm.requestSubmit(); }
  });
  document.addEventListener('visibilitychange', () => { if (visible() && apiKey) { pollStats(); refreshLists(); } });

  buildCharts();
  onKindChange();
  let saved = '';
  try { saved = sessionStorage.getItem(STORAGE_KEY) || ''; } catch (e) { /* storage disabled */ }
  if (saved) {
    el.apiKey.value = saved;
    signIn(saved);
  } else {
    el.apiKey.focus();
  }
})();
