/*
 * Switchboard console: a small, dependency-free client for the native channel
 * endpoint (ws/channel) and a few HTTP API calls (api/v1/...).
 *
 * Every URL is relative to this page's directory, so the console works at the
 * server root and under a context path (e.g. /switchboard/).
 *
 * Stable element ids (for people and browser tests):
 *
 *   Connection
 *     #connect-form          form (submit = connect)
 *     #token                 input (type password): the JWT
 *     #token-show            checkbox: show the token in clear text
 *     #channel-id            input: the channelId
 *     #connect-btn           button: connect
 *     #disconnect-btn        button: disconnect
 *     #conn-state            text: "not connected" | "connecting" | "open" |
 *                            "closed <code> <reason>" | "refused <status>";
 *                            attribute data-state = idle|connecting|open|closed|refused
 *     #conn-detail           text: human explanation of the state / close code
 *     #refusal               box shown when a handshake was refused
 *     #refusal-status        text: HTTP status (e.g. "409")
 *     #refusal-error         text: the refusal's "error" code
 *     #refusal-message       text: the server's "message" (or the generic text)
 *     #refusal-explain       text: what the status means
 *     #welcome-session-id, #welcome-channel-id, #welcome-user, #welcome-heartbeat
 *                            text: fields of the server's "welcome" frame
 *
 *   Incoming (latest message frame)
 *     #incoming              section; data-state = empty|message
 *     #incoming-data         the message's data (text, key/value list or JSON)
 *     #incoming-source       "channel x" / "topic x #offset" / "user x"
 *     #incoming-time         arrival time (datetime attribute = ISO-8601)
 *     #incoming-dismiss      button
 *
 *   Subscriptions
 *     #subscribe-form        form (submit = subscribe)
 *     #sub-topic             input: topic
 *     #subscribe-btn         button
 *     #unsubscribe-btn       button
 *     #resume-subs           checkbox: resubscribe with "since" after reconnect
 *     #subs-body             tbody; one <tr data-topic="..."> per subscription with
 *                            cells .sub-topic .sub-state .sub-offset .sub-epoch
 *                            and an unsubscribe button .sub-remove
 *
 *   Publish / send / ping
 *     #publish-form, #publish-topic, #publish-data, #publish-btn
 *     #send-form, #send-to (default "echo"), #send-data, #send-btn
 *     #ping-btn, #ping-result
 *
 *   Frame log
 *     #log                   <ol>, newest first, at most 500 <li> entries; each
 *                            li has classes "entry dir-in|dir-out|dir-sys" and
 *                            "frame-<type>" (e.g. frame-message, frame-error) and
 *                            data-type; its <pre class="entry-body"> holds the JSON
 *     #log-count             text: "<n> entries"
 *     #log-clear-btn         button
 *
 *   Open channels (GET api/v1/channels)
 *     #channels-refresh-btn  button
 *     #channels-status       text: count and update time, or the error message
 *     #channels-body         tbody; one <tr data-channel-id="..."> per channel
 *
 *   Nodes (GET api/v1/stats: every live node of the cluster, one when not clustered)
 *     #nodes-refresh-btn     button
 *     #nodes-status          text: count and update time, or the error message
 *     #nodes-body            tbody; one <tr data-node-id="..."> per node with cells
 *                            .node-id .node-sessions .node-subscriptions .node-in .node-out
 *
 *   Push from your backend
 *     #curl-cmd              code: ready-to-copy curl command
 *     #curl-copy-btn         button
 *     #curl-copy-status      text
 *
 * Frames can contain anything: untrusted data only ever goes through
 * textContent / setAttribute, never innerHTML.
 */
(() => {
  'use strict';

  const LOG_CAP = 500;
  const PANELS_REFRESH_MS = 5000;
  const STORAGE_TOKEN = 'switchboard.console.token';
  const STORAGE_CHANNEL = 'switchboard.console.channelId';

  /** Close codes (CONTRACT.md section 2): [short label, human text]. */
  const CLOSE_CODES = {
    1000: ['normal', 'The connection was closed normally.'],
    1001: ['going away', 'The server is shutting down (or restarting).'],
    1003: ['unsupported data', 'The server does not accept binary frames on this endpoint.'],
    1005: ['no status', 'The connection was closed without a status code.'],
    1006: ['abnormal', 'The connection dropped without a close frame: network problem or server gone.'],
    1008: ['policy violation', 'The token expired while connected, an action was forbidden, or too many bad frames were sent.'],
    1009: ['message too big', 'A frame was larger than the server accepts.'],
    1011: ['internal error', 'The server hit an unexpected error.'],
    4000: ['disconnected', 'An operator closed this channel through the HTTP API.'],
    4008: ['slow consumer', 'This client did not keep up: the server\u2019s outbound buffer or send time limit was exceeded.'],
    4009: ['replaced', 'A newer session connected to the same channel and replaced this one.'],
    4029: ['rate limited', 'Too many requests from this client; wait a moment before reconnecting.'],
  };

  /** Handshake refusals (CONTRACT.md section 2): status -> human text. */
  const REFUSALS = {
    400: 'Bad request: the channelId is missing or malformed, or the token is missing.',
    401: 'Unauthorized: the token is invalid or expired, or its signature, issuer or audience is wrong.',
    403: 'Forbidden: this page\u2019s origin is not allowed, or the token does not permit this channel.',
    409: 'Conflict: this channel already has an open session somewhere in the deployment.',
    429: 'Too many handshakes from this address: wait a moment and try again.',
  };

  const $ = (id) => document.getElementById(id);
  const el = {
    connectForm: $('connect-form'), token: $('token'), tokenShow: $('token-show'), channelId: $('channel-id'),
    connectBtn: $('connect-btn'), disconnectBtn: $('disconnect-btn'),
    connState: $('conn-state'), connDetail: $('conn-detail'),
    refusal: $('refusal'), refusalStatus: $('refusal-status'), refusalError: $('refusal-error'),
    refusalMessage: $('refusal-message'), refusalExplain: $('refusal-explain'),
    wSession: $('welcome-session-id'), wChannel: $('welcome-channel-id'),
    wUser: $('welcome-user'), wHeartbeat: $('welcome-heartbeat'),
    incoming: $('incoming'), incomingData: $('incoming-data'), incomingSource: $('incoming-source'),
    incomingTime: $('incoming-time'), incomingDismiss: $('incoming-dismiss'),
    subscribeForm: $('subscribe-form'), subTopic: $('sub-topic'),
    subscribeBtn: $('subscribe-btn'), unsubscribeBtn: $('unsubscribe-btn'),
    resumeSubs: $('resume-subs'), subsBody: $('subs-body'),
    publishForm: $('publish-form'), publishTopic: $('publish-topic'),
    publishData: $('publish-data'), publishBtn: $('publish-btn'),
    sendForm: $('send-form'), sendTo: $('send-to'), sendData: $('send-data'), sendBtn: $('send-btn'),
    pingBtn: $('ping-btn'), pingResult: $('ping-result'),
    log: $('log'), logCount: $('log-count'), logClearBtn: $('log-clear-btn'),
    channelsRefreshBtn: $('channels-refresh-btn'), channelsStatus: $('channels-status'),
    channelsBody: $('channels-body'),
    nodesRefreshBtn: $('nodes-refresh-btn'), nodesStatus: $('nodes-status'), nodesBody: $('nodes-body'),
    curlCmd: $('curl-cmd'), curlCopyBtn: $('curl-copy-btn'), curlCopyStatus: $('curl-copy-status'),
  };

  /** The page's directory: the base for every relative URL (works under a context path). */
  const BASE = new URL('.', location.href);

  // ---------------------------------------------------------------- helpers

  function node(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function pad(n, w = 2) { return String(n).padStart(w, '0'); }

  function clock(d) {
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  function pretty(value) {
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }

  function isPlainObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  /** Textarea content -> frame data: JSON if it parses, otherwise the text as a string. */
  function parseData(text) {
    const t = text.trim();
    if (t === '') return text;
    try { return JSON.parse(t); } catch (e) { return text; }
  }

  /** A safe CSS class suffix for arbitrary frame types. */
  function classSuffix(type) {
    return String(type).toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 32) || 'unknown';
  }

  /** Encode a path segment; ':' may stay as is. */
  function pathSegment(s) {
    return encodeURIComponent(s).replace(/%3A/gi, ':').replace(/'/g, '%27');
  }

  function channelUrls(token, channelId) {
    const query = `token=${encodeURIComponent(token)}&channelId=${encodeURIComponent(channelId)}`;
    const http = new URL('ws/channel', BASE);
    http.search = query;
    const wsProto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = `${wsProto}//${http.host}${http.pathname}?${query}`;
    return { ws, http: http.href };
  }

  function setText(elem, value) {
    elem.textContent = value === undefined || value === null || value === '' ? '\u2013' : String(value);
  }

  // ---------------------------------------------------------------- state

  /** The current connection: { ws, token, channelId, opened, userClosed }. */
  let conn = null;
  /** topic -> { state: pending|subscribed|inactive|error, offset, epoch, recovered } */
  const subs = new Map();
  let pingSentAt = 0;
  let unread = 0;
  const baseTitle = document.title;

  function isOpen() {
    return conn !== null && conn.ws.readyState === WebSocket.OPEN;
  }

  function setState(state, text, detail) {
    el.connState.dataset.state = state;
    el.connState.textContent = text;
    document.body.dataset.conn = state;
    if (detail !== undefined) el.connDetail.textContent = detail;
    const open = state === 'open';
    const active = state === 'open' || state === 'connecting';
    for (const b of [el.subscribeBtn, el.unsubscribeBtn, el.publishBtn, el.sendBtn, el.pingBtn]) b.disabled = !open;
    el.disconnectBtn.disabled = !active;
    renderSubs();
  }

  function clearWelcome() {
    for (const e of [el.wSession, el.wChannel, el.wUser, el.wHeartbeat]) setText(e, '');
  }

  function hideRefusal() {
    el.refusal.hidden = true;
    for (const e of [el.refusalStatus, el.refusalError, el.refusalMessage, el.refusalExplain]) e.textContent = '';
  }

  // ---------------------------------------------------------------- log

  function summaryOf(frame) {
    if (!isPlainObject(frame)) return '';
    const parts = [];
    if (frame.topic !== undefined) parts.push(`topic ${frame.topic}`);
    if (frame.channel !== undefined) parts.push(`channel ${frame.channel}`);
    if (frame.user !== undefined && frame.type === 'message') parts.push(`user ${frame.user}`);
    if (frame.to !== undefined) parts.push(`to ${frame.to}`);
    if (frame.offset !== undefined) parts.push(`#${frame.offset}`);
    if (frame.code !== undefined) parts.push(String(frame.code));
    if (frame.ack === true) parts.push('ack required');
    return parts.join(' \u00b7 ');
  }

  /**
   * Adds a log entry. dir: 'in' | 'out' | 'sys'. payload: a parsed frame (object),
   * or a string for raw / system text. invalid: the text could not be parsed.
   */
  function log(dir, payload, { invalid = false } = {}) {
    const now = new Date();
    let type;
    if (dir === 'sys') type = 'info';
    else if (invalid) type = 'invalid';
    else if (isPlainObject(payload) && typeof payload.type === 'string') type = payload.type;
    else type = 'unknown';

    const li = node('li', `entry dir-${dir} frame-${classSuffix(type)}`);
    li.dataset.type = type;
    if (invalid || type === 'error') li.classList.add('is-error');

    const head = node('div', 'entry-head');
    const time = node('time', 'entry-time', clock(now));
    time.dateTime = now.toISOString();
    const arrow = node('span', 'entry-dir', dir === 'out' ? '\u2192' : dir === 'in' ? '\u2190' : '\u2022');
    arrow.title = dir === 'out' ? 'sent' : dir === 'in' ? 'received' : 'console';
    head.append(time, arrow, node('span', 'entry-type', type));
    const summary = typeof payload === 'string' ? '' : summaryOf(payload);
    if (summary) head.append(node('span', 'entry-summary', summary));
    li.append(head);

    if (dir === 'sys') {
      li.append(node('div', 'entry-text', payload));
    } else {
      li.append(node('pre', 'entry-body', typeof payload === 'string' ? payload : pretty(payload)));
    }

    el.log.prepend(li);
    while (el.log.childElementCount > LOG_CAP) el.log.lastElementChild.remove();
    updateLogCount();
  }

  function updateLogCount() {
    const n = el.log.childElementCount;
    el.logCount.textContent = `${n} ${n === 1 ? 'entry' : 'entries'}`;
  }

  // ---------------------------------------------------------------- connection

  function connect() {
    const token = el.token.value.trim();
    const channelId = el.channelId.value.trim();
    if (!token || !channelId) {
      el.connDetail.textContent = !token ? 'Enter a token first.' : 'Enter a channel id first.';
      (!token ? el.token : el.channelId).focus();
      return;
    }
    savePrefs();
    if (conn) disconnect('reconnecting');

    hideRefusal();
    clearWelcome();
    const urls = channelUrls(token, channelId);
    let ws;
    try {
      ws = new WebSocket(urls.ws);
    } catch (e) {
      setState('closed', 'closed', `Could not open a WebSocket: ${e.message}`);
      return;
    }
    const c = { ws, token, channelId, urls, opened: false, userClosed: false };
    conn = c;
    setState('connecting', 'connecting', `Connecting to channel \u201c${channelId}\u201d\u2026`);
    log('sys', `connecting to channel ${channelId}`);

    ws.addEventListener('open', () => {
      if (conn !== c) return;
      c.opened = true;
      setState('open', 'open', 'Connected. Waiting for the welcome frame\u2026');
      log('sys', 'socket open');
    });
    ws.addEventListener('message', (ev) => {
      if (conn !== c) return;
      onFrame(ev.data);
    });
    ws.addEventListener('close', (ev) => {
      if (conn !== c) return;
      onClose(c, ev);
    });
  }

  function disconnect(reason = 'client disconnect') {
    const c = conn;
    if (!c) return;
    c.userClosed = true;
    conn = null;
    try { c.ws.close(1000, reason); } catch (e) { /* already closing */ }
    const info = CLOSE_CODES[1000];
    setState('closed', `closed 1000 ${info[0]}`, 'You disconnected.');
    markSubsInactive();
    log('sys', `disconnected (${reason})`);
  }

  function onClose(c, ev) {
    conn = null;
    markSubsInactive();
    const info = CLOSE_CODES[ev.code];
    const label = ev.reason || (info ? info[0] : '');
    const text = `closed ${ev.code}${label ? ' ' + label : ''}`;
    const detail = info ? info[1] : `Closed with code ${ev.code}.`;
    log('sys', `${text}${ev.wasClean ? '' : ' (not clean)'}`);
    if (!c.opened && ev.code === 1006) {
      // The browser hides handshake refusals behind a bare 1006; ask the server why.
      setState('closed', text, 'The handshake failed; asking the server why\u2026');
      explainRefusal(c);
      return;
    }
    setState('closed', text, detail);
  }

  /** GET the handshake URL without upgrade headers: the server answers with its refusal. */
  async function explainRefusal(c) {
    let status = 0;
    let body = null;
    try {
      const res = await fetch(c.urls.http, { cache: 'no-store', credentials: 'same-origin' });
      status = res.status;
      const text = await res.text();
      try { body = JSON.parse(text); } catch (e) { body = null; }
    } catch (e) {
      if (conn !== null) return; // the user already started something new
      setState('closed', 'closed 1006 abnormal',
        'The server could not be reached. Is it running, and is this the right address?');
      return;
    }
    if (conn !== null) return;

    const isRefusal = Object.prototype.hasOwnProperty.call(REFUSALS, status) &&
      isPlainObject(body) && typeof body.message === 'string';
    el.refusal.hidden = false;
    if (isRefusal) {
      el.refusalStatus.textContent = String(status);
      el.refusalError.textContent = body.error === undefined ? '' : String(body.error);
      el.refusalMessage.textContent = body.message;
      el.refusalExplain.textContent = REFUSALS[status];
      setState('refused', `refused ${status}`, 'The server refused the handshake: see below.');
      log('sys', `handshake refused: ${status} ${body.error ?? ''} ${body.message}`.replace(/\s+/g, ' '));
    } else {
      el.refusalStatus.textContent = status ? String(status) : '';
      el.refusalError.textContent = '';
      el.refusalMessage.textContent = 'handshake refused (see server log)';
      el.refusalExplain.textContent = 'The server refused the WebSocket handshake without saying why to this page.';
      setState('refused', 'refused', 'handshake refused (see server log)');
      log('sys', `handshake refused (see server log)${status ? '; plain GET answered ' + status : ''}`);
    }
  }

  function send(frame) {
    if (!isOpen()) {
      log('sys', 'not connected: frame not sent');
      return false;
    }
    conn.ws.send(JSON.stringify(frame));
    log('out', frame);
    return true;
  }

  // ---------------------------------------------------------------- incoming frames

  function onFrame(raw) {
    if (typeof raw !== 'string') {
      log('in', '[binary frame]', { invalid: true });
      return;
    }
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch (e) {
      log('in', raw, { invalid: true });
      return;
    }
    log('in', frame);
    if (!isPlainObject(frame)) return;

    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'subscribed': onSubscribed(frame); break;
      case 'message': onMessage(frame); break;
      case 'error': onError(frame); break;
      case 'pong': onPong(); break;
      default: break;
    }
  }

  function onWelcome(f) {
    setText(el.wSession, f.sessionId);
    setText(el.wChannel, f.channelId);
    setText(el.wUser, f.user);
    setText(el.wHeartbeat, typeof f.heartbeatMs === 'number' ? `${f.heartbeatMs} ms` : f.heartbeatMs);
    el.connDetail.textContent = `Connected as \u201c${f.user ?? '?'}\u201d on channel \u201c${f.channelId ?? conn?.channelId ?? '?'}\u201d.`;
    if (el.resumeSubs.checked) {
      for (const [topic, s] of subs) {
        const frame = { type: 'subscribe', topic };
        if (s.offset !== undefined && s.offset !== null && s.epoch !== undefined && s.epoch !== null) {
          frame.since = { offset: s.offset, epoch: s.epoch };
        }
        s.state = 'pending';
        s.resumed = frame.since !== undefined;
        send(frame);
      }
    } else {
      subs.clear();
    }
    renderSubs();
    refreshPanels();
  }

  function onSubscribed(f) {
    if (typeof f.topic !== 'string') return;
    const s = subs.get(f.topic) || {};
    s.state = 'subscribed';
    if (f.offset !== undefined) s.offset = f.offset;
    if (f.epoch !== undefined) s.epoch = f.epoch;
    s.recovered = f.recovered;
    subs.set(f.topic, s);
    renderSubs();
  }

  function onMessage(f) {
    if (typeof f.topic === 'string' && subs.has(f.topic)) {
      const s = subs.get(f.topic);
      if (f.offset !== undefined) s.offset = f.offset;
      if (f.epoch !== undefined) s.epoch = f.epoch;
      renderSubs();
    }
    showIncoming(f);
    if (f.ack === true && f.id !== undefined) send({ type: 'ack', id: f.id });
  }

  function onError(f) {
    const ref = f.ref;
    let refType;
    let refTopic;
    if (isPlainObject(ref)) { refType = ref.type; refTopic = ref.topic; }
    else if (typeof ref === 'string') { refTopic = ref; }
    if (typeof f.topic === 'string') refTopic = refTopic ?? f.topic;
    if (typeof refTopic === 'string' && subs.has(refTopic) && (refType === undefined || refType === 'subscribe')) {
      const s = subs.get(refTopic);
      if (s.state === 'pending') { s.state = 'error'; s.error = f.message; renderSubs(); }
    }
  }

  function onPong() {
    if (pingSentAt) {
      el.pingResult.textContent = `pong after ${Math.round(performance.now() - pingSentAt)} ms`;
      pingSentAt = 0;
    } else {
      el.pingResult.textContent = 'pong';
    }
  }

  // ---------------------------------------------------------------- incoming panel

  function renderData(data) {
    if (typeof data === 'string') return node('p', 'incoming-text', data);
    if (isPlainObject(data)) {
      const keys = Object.keys(data);
      const flat = keys.length > 0 && keys.length <= 16 &&
        keys.every((k) => data[k] === null || typeof data[k] !== 'object');
      if (flat) {
        const dl = node('dl', 'incoming-kv');
        for (const k of keys) dl.append(node('dt', null, k), node('dd', null, String(data[k])));
        return dl;
      }
    } else if (data === undefined) {
      return node('p', 'incoming-text muted', '(no data)');
    } else if (typeof data !== 'object' || data === null) {
      return node('p', 'incoming-text', String(data));
    }
    return node('pre', 'incoming-json', pretty(data));
  }

  function showIncoming(f) {
    const now = new Date();
    el.incomingData.replaceChildren(renderData(f.data));
    let source = '';
    if (f.channel !== undefined) source = `channel ${f.channel}`;
    else if (f.topic !== undefined) source = `topic ${f.topic}${f.offset !== undefined ? ' #' + f.offset : ''}`;
    else if (f.user !== undefined) source = `user ${f.user}`;
    if (f.ack === true) source += ' \u00b7 acked';
    el.incomingSource.textContent = source;
    el.incomingTime.textContent = `arrived ${clock(now)}`;
    el.incomingTime.dateTime = now.toISOString();
    el.incoming.dataset.state = 'message';
    el.incomingDismiss.disabled = false;
    el.incoming.classList.remove('flash');
    void el.incoming.offsetWidth; // restart the animation
    el.incoming.classList.add('flash');
    if (document.visibilityState !== 'visible') {
      unread += 1;
      document.title = `(${unread}) Incoming \u2013 ${baseTitle}`;
    }
  }

  function dismissIncoming() {
    el.incomingData.replaceChildren(node('p', 'placeholder', 'Dismissed. The next message pops up here.'));
    el.incomingSource.textContent = '';
    el.incomingTime.textContent = '';
    el.incomingTime.removeAttribute('datetime');
    el.incoming.dataset.state = 'empty';
    el.incoming.classList.remove('flash');
    el.incomingDismiss.disabled = true;
  }

  // ---------------------------------------------------------------- subscriptions

  function subscribe(topic) {
    topic = topic.trim();
    if (!topic) { el.subTopic.focus(); return; }
    const s = subs.get(topic) || {};
    const frame = { type: 'subscribe', topic };
    s.state = 'pending';
    s.resumed = false;
    delete s.error;
    subs.set(topic, s);
    send(frame);
    renderSubs();
  }

  function unsubscribe(topic) {
    topic = topic.trim();
    if (!topic) { el.subTopic.focus(); return; }
    subs.delete(topic);
    if (isOpen()) send({ type: 'unsubscribe', topic });
    renderSubs();
  }

  function markSubsInactive() {
    for (const s of subs.values()) s.state = 'inactive';
    renderSubs();
  }

  function renderSubs() {
    const rows = [];
    for (const [topic, s] of [...subs].sort((a, b) => a[0].localeCompare(b[0]))) {
      const tr = node('tr');
      tr.dataset.topic = topic;
      tr.dataset.state = s.state;
      const state = node('td', `sub-state state-${classSuffix(s.state)}`, s.state + (s.recovered === false && s.state === 'subscribed' && s.resumed ? ' (not recovered)' : ''));
      if (s.error) state.title = s.error;
      const btnCell = node('td', 'sub-actions');
      const btn = node('button', 'btn btn-ghost btn-small sub-remove', '\u00d7');
      btn.type = 'button';
      btn.setAttribute('aria-label', `Unsubscribe from ${topic}`);
      btn.title = `Unsubscribe from ${topic}`;
      btn.addEventListener('click', () => unsubscribe(topic));
      btnCell.append(btn);
      tr.append(
        node('td', 'sub-topic', topic),
        state,
        node('td', 'sub-offset num', s.offset ?? '\u2013'),
        node('td', 'sub-epoch', s.epoch ?? '\u2013'),
        btnCell,
      );
      rows.push(tr);
    }
    if (rows.length === 0) {
      const tr = node('tr', 'empty');
      const td = node('td', null, 'No subscriptions.');
      td.colSpan = 5;
      tr.append(td);
      rows.push(tr);
    }
    el.subsBody.replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- HTTP API panels

  /**
   * GETs an api/v1 resource with the token as Bearer. Resolves to { body } or, when the
   * server refuses, to { error: "<status>: <message>" } so the panel shows the server's reason.
   */
  async function apiGet(relPath, token) {
    const res = await fetch(new URL(relPath, BASE), {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      cache: 'no-store',
    });
    const text = await res.text();
    let body = null;
    try { body = JSON.parse(text); } catch (e) { body = null; }
    if (res.ok) return { body };
    const msg = isPlainObject(body) && typeof body.message === 'string' ? body.message : res.statusText;
    return { error: `${res.status}: ${msg || 'request failed'}` };
  }

  function setPanelStatus(elem, text, isError) {
    elem.textContent = text;
    elem.classList.toggle('is-error', isError);
  }

  /** "updated hh:mm:ss" for a panel's status line: shows the 5 s refresh is alive. */
  function updated() {
    return `updated ${clock(new Date()).slice(0, 8)}`;
  }

  /** Both panels at once: the timer, a page becoming visible, a new session. */
  function refreshPanels() {
    refreshChannels();
    refreshNodes();
  }

  // ---------------------------------------------------------------- open channels

  let channelsInFlight = false;
  let channelsAgain = false;

  function formatSince(since) {
    const d = new Date(since);
    if (typeof since !== 'string' || Number.isNaN(d.getTime())) return String(since ?? '\u2013');
    return d.toLocaleString();
  }

  async function refreshChannels() {
    const token = el.token.value.trim();
    if (!token) {
      el.channelsStatus.textContent = 'Enter a token (role admin) to list open channels.';
      return;
    }
    if (channelsInFlight) { channelsAgain = true; return; }
    channelsInFlight = true;
    channelsAgain = false;
    el.channelsRefreshBtn.disabled = true;
    try {
      const { body, error } = await apiGet('api/v1/channels', token);
      if (error) {
        setPanelStatus(el.channelsStatus, error, true);
        renderChannels(null);
        return;
      }
      const list = isPlainObject(body) && Array.isArray(body.channels) ? body.channels : null;
      if (!list) {
        setPanelStatus(el.channelsStatus, 'Unexpected answer from api/v1/channels.', true);
        return;
      }
      renderChannels(list);
      setPanelStatus(el.channelsStatus,
        `${list.length} open ${list.length === 1 ? 'channel' : 'channels'} \u00b7 ${updated()}`, false);
    } catch (e) {
      setPanelStatus(el.channelsStatus, `Could not load channels: ${e.message}`, true);
    } finally {
      channelsInFlight = false;
      el.channelsRefreshBtn.disabled = false;
      if (channelsAgain) refreshChannels();
    }
  }

  function renderChannels(list) {
    const rows = [];
    const current = el.channelId.value.trim();
    const sorted = (list || []).filter(isPlainObject)
      .sort((a, b) => String(a.channelId).localeCompare(String(b.channelId)));
    for (const ch of sorted) {
      const tr = node('tr');
      tr.dataset.channelId = String(ch.channelId);
      if (String(ch.channelId) === current) tr.classList.add('current');
      const since = node('td', 'ch-since');
      const t = node('time', null, formatSince(ch.since));
      if (typeof ch.since === 'string') { t.dateTime = ch.since; t.title = ch.since; }
      since.append(t);
      tr.append(
        node('td', 'ch-id', ch.channelId ?? '\u2013'),
        node('td', 'ch-user', ch.user ?? '\u2013'),
        node('td', 'ch-node', ch.node ?? '\u2013'),
        since,
      );
      rows.push(tr);
    }
    if (rows.length === 0) {
      const tr = node('tr', 'empty');
      const td = node('td', null, list ? 'No open channels.' : '\u2013');
      td.colSpan = 4;
      tr.append(td);
      rows.push(tr);
    }
    el.channelsBody.replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- nodes

  let nodesInFlight = false;
  let nodesAgain = false;

  async function refreshNodes() {
    const token = el.token.value.trim();
    if (!token) {
      el.nodesStatus.textContent = 'Enter a token (role admin) to list the nodes.';
      return;
    }
    if (nodesInFlight) { nodesAgain = true; return; }
    nodesInFlight = true;
    nodesAgain = false;
    el.nodesRefreshBtn.disabled = true;
    try {
      const { body, error } = await apiGet('api/v1/stats', token);
      if (error) {
        setPanelStatus(el.nodesStatus, error, true);
        renderNodes(null);
        return;
      }
      const list = isPlainObject(body) && Array.isArray(body.nodes) ? body.nodes : null;
      if (!list) {
        setPanelStatus(el.nodesStatus, 'Unexpected answer from api/v1/stats.', true);
        return;
      }
      renderNodes(list);
      setPanelStatus(el.nodesStatus, `${list.length} ${list.length === 1 ? 'node' : 'nodes'} \u00b7 ${updated()}`, false);
    } catch (e) {
      setPanelStatus(el.nodesStatus, `Could not load nodes: ${e.message}`, true);
    } finally {
      nodesInFlight = false;
      el.nodesRefreshBtn.disabled = false;
      if (nodesAgain) refreshNodes();
    }
  }

  /** A counter cell: the server's number as is (no locale separators, so it matches curl output). */
  function countCell(className, value) {
    return node('td', `num ${className}`, typeof value === 'number' ? value : '\u2013');
  }

  function renderNodes(list) {
    const rows = [];
    const sorted = (list || []).filter(isPlainObject)
      .sort((a, b) => String(a.node).localeCompare(String(b.node)));
    for (const n of sorted) {
      // No row is marked "current": the stats do not say which node serves this page's
      // session, and a load balancer may pick any node, so guessing could mislead.
      const tr = node('tr');
      tr.dataset.nodeId = String(n.node);
      tr.append(
        node('td', 'node-id', n.node ?? '\u2013'),
        countCell('node-sessions', n.sessions),
        countCell('node-subscriptions', n.subscriptions),
        countCell('node-in', n.messagesIn),
        countCell('node-out', n.messagesOut),
      );
      rows.push(tr);
    }
    if (rows.length === 0) {
      const tr = node('tr', 'empty');
      const td = node('td', null, list ? 'No nodes reported.' : '\u2013');
      td.colSpan = 5;
      tr.append(td);
      rows.push(tr);
    }
    el.nodesBody.replaceChildren(...rows);
  }

  // ---------------------------------------------------------------- curl help

  function updateCurl() {
    const channelId = el.channelId.value.trim() || '<channelId>';
    const url = new URL(`api/v1/channels/${pathSegment(channelId)}/messages`, BASE).href;
    el.curlCmd.textContent =
      `curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" ` +
      `-d '{"data":{"text":"hello"}}' ${url}`;
  }

  async function copyCurl() {
    const text = el.curlCmd.textContent;
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      el.curlCopyStatus.textContent = 'Copied to the clipboard.';
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents(el.curlCmd);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      let ok = false;
      try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
      el.curlCopyStatus.textContent = ok ? 'Copied to the clipboard.' : 'Selected: press Ctrl+C to copy.';
    }
  }

  // ---------------------------------------------------------------- preferences

  function savePrefs() {
    try {
      localStorage.setItem(STORAGE_TOKEN, el.token.value.trim());
      localStorage.setItem(STORAGE_CHANNEL, el.channelId.value.trim());
    } catch (e) { /* storage disabled */ }
  }

  /** Pre-fill from ?token=&channelId= (wins) or local storage; returns true for &connect=1. */
  function loadPrefs() {
    try {
      el.token.value = localStorage.getItem(STORAGE_TOKEN) || '';
      el.channelId.value = localStorage.getItem(STORAGE_CHANNEL) || '';
    } catch (e) { /* storage disabled */ }
    const params = new URLSearchParams(location.search);
    const fromUrl = params.has('token') || params.has('channelId');
    if (params.has('token')) el.token.value = params.get('token');
    if (params.has('channelId')) el.channelId.value = params.get('channelId');
    const autoConnect = params.get('connect') === '1';
    if (fromUrl) {
      savePrefs();
      // Keep the token out of the address bar (and of bookmarks / screenshots).
      if (params.has('token')) {
        params.delete('token');
        const rest = params.toString();
        history.replaceState(history.state, '', `${location.pathname}${rest ? '?' + rest : ''}${location.hash}`);
      }
    }
    return autoConnect;
  }

  // ---------------------------------------------------------------- wiring

  el.connectForm.addEventListener('submit', (e) => { e.preventDefault(); connect(); });
  el.disconnectBtn.addEventListener('click', () => disconnect());
  el.channelId.addEventListener('input', updateCurl);
  el.token.addEventListener('change', savePrefs);
  el.tokenShow.addEventListener('change', () => { el.token.type = el.tokenShow.checked ? 'text' : 'password'; });
  el.channelId.addEventListener('change', savePrefs);

  el.subscribeForm.addEventListener('submit', (e) => { e.preventDefault(); subscribe(el.subTopic.value); });
  el.unsubscribeBtn.addEventListener('click', () => unsubscribe(el.subTopic.value));

  el.publishForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const topic = el.publishTopic.value.trim();
    if (!topic) { el.publishTopic.focus(); return; }
    send({ type: 'publish', topic, data: parseData(el.publishData.value) });
  });
  el.sendForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const to = el.sendTo.value.trim();
    if (!to) { el.sendTo.focus(); return; }
    send({ type: 'send', to, data: parseData(el.sendData.value) });
  });
  for (const [area, form] of [[el.publishData, el.publishForm], [el.sendData, el.sendForm]]) {
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    });
  }
  el.pingBtn.addEventListener('click', () => {
    if (send({ type: 'ping' })) { pingSentAt = performance.now(); el.pingResult.textContent = 'ping sent\u2026'; }
  });

  el.logClearBtn.addEventListener('click', () => { el.log.replaceChildren(); updateLogCount(); });
  el.incomingDismiss.addEventListener('click', dismissIncoming);
  el.channelsRefreshBtn.addEventListener('click', () => refreshChannels());
  el.nodesRefreshBtn.addEventListener('click', () => refreshNodes());
  el.curlCopyBtn.addEventListener('click', copyCurl);

  setInterval(() => {
    if (document.visibilityState === 'visible' && el.token.value.trim()) refreshPanels();
  }, PANELS_REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      unread = 0;
      document.title = baseTitle;
      if (el.token.value.trim()) refreshPanels();
    }
  });
  window.addEventListener('pagehide', () => { if (conn) { try { conn.ws.close(1000, 'page closed'); } catch (e) { /* ignore */ } } });

  const autoConnect = loadPrefs();
  updateCurl();
  renderSubs();
  setState('idle', 'not connected', 'Enter a token and a channel id, then connect.');
  if (el.token.value.trim()) refreshPanels();
  if (autoConnect) connect();
})();
