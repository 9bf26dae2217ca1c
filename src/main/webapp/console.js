/*
 * Switchboard console: the native channel endpoint (ws/channel) through the
 * JavaScript client the server serves at js/switchboard.js (clients/js in the
 * repository: reconnect, resume with "since", acks, SockJS fallback), plus a
 * few HTTP API calls (api/v1/...).
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
 *                            "reconnecting" | "closed <code> <reason>" | "refused <status>";
 *                            attribute data-state = idle|connecting|open|reconnecting|closed|refused
 *     #conn-detail           text: human explanation of the state / close code
 *     #refusal               box shown when a handshake was refused
 *     #refusal-status        text: HTTP status (e.g. "409")
 *     #refusal-error         text: the refusal's "error" code
 *     #refusal-message       text: the server's "message" (or the generic text)
 *     #refusal-explain       text: what the status means
 *     #welcome-session-id, #welcome-channel-id, #welcome-user, #welcome-heartbeat
 *                            text: fields of the server's "welcome" frame
 *
 *   Incoming (every message frame, newest first, at most 50)
 *     #incoming              section; data-state = empty|message
 *     #incoming-list         <ol>; one <li class="incoming-item"> per message with
 *                            .incoming-source ("channel x" / "topic x #offset" / "user x"),
 *                            .incoming-time (HH:MM:SS.mmm; datetime = ISO-8601),
 *                            .incoming-data (text, key/value list, or nested lists for
 *                            nested payloads) and a .incoming-item-dismiss button
 *     #incoming-count        text: "<n> items"
 *     #incoming-dismiss      button: dismiss all
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
 *                            data-type; it holds a <details>: the <summary> is one line
 *                            (time, direction, type, summary, .entry-line = the JSON on
 *                            one line), its <pre class="entry-body"> the JSON
 *     #log-filter            search input: shows only entries whose type or text contain it
 *     #log-compact           checkbox (checked): entries closed to one line; unchecked: all open
 *     #log-count             text: "<n> entries" or "<shown> of <n> entries"
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
import { SwitchboardClient } from './js/switchboard.js';
import { node, clock, timeElement, isPlainObject, pretty, oneLine, renderValue, parseData, pathSegment } from './ui.js';

(() => {

  const LOG_CAP = 500;
  const INCOMING_CAP = 50;
  const PANELS_REFRESH_MS = 5000;
  const STORAGE_TOKEN = 'switchboard.console.token';
  const STORAGE_CHANNEL = 'switchboard.console.channelId';

  /** Close codes (docs/protocol.md, Close codes): [short label, human text]. */
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

  /** Handshake refusals (docs/protocol.md, Handshake): status -> human text. */
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
    incoming: $('incoming'), incomingList: $('incoming-list'), incomingEmpty: $('incoming-empty'),
    incomingCount: $('incoming-count'), incomingDismiss: $('incoming-dismiss'),
    subscribeForm: $('subscribe-form'), subTopic: $('sub-topic'),
    subscribeBtn: $('subscribe-btn'), unsubscribeBtn: $('unsubscribe-btn'),
    resumeSubs: $('resume-subs'), subsBody: $('subs-body'),
    publishForm: $('publish-form'), publishTopic: $('publish-topic'),
    publishData: $('publish-data'), publishBtn: $('publish-btn'),
    sendForm: $('send-form'), sendTo: $('send-to'), sendData: $('send-data'), sendBtn: $('send-btn'),
    pingBtn: $('ping-btn'), pingResult: $('ping-result'),
    log: $('log'), logCount: $('log-count'), logClearBtn: $('log-clear-btn'),
    logFilter: $('log-filter'), logCompact: $('log-compact'),
    channelsRefreshBtn: $('channels-refresh-btn'), channelsStatus: $('channels-status'),
    channelsBody: $('channels-body'),
    nodesRefreshBtn: $('nodes-refresh-btn'), nodesStatus: $('nodes-status'), nodesBody: $('nodes-body'),
    curlCmd: $('curl-cmd'), curlCopyBtn: $('curl-copy-btn'), curlCopyStatus: $('curl-copy-status'),
  };

  /** The page's directory: the base for every relative URL (works under a context path). */
  const BASE = new URL('.', location.href);

  // ---------------------------------------------------------------- helpers

  /** A safe CSS class suffix for arbitrary frame types. */
  function classSuffix(type) {
    return String(type).toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 32) || 'unknown';
  }

  function setText(elem, value) {
    elem.textContent = value === undefined || value === null || value === '' ? '\u2013' : String(value);
  }

  // ---------------------------------------------------------------- state

  /** The SwitchboardClient of the last connect, until disconnect (it reconnects by itself). */
  let client = null;
  /** topic -> { state: pending|subscribed|inactive|error, offset, epoch, recovered, resumed } */
  const subs = new Map();
  let unread = 0;
  const baseTitle = document.title;

  function isOpen() {
    return client !== null && client.state === 'open';
  }

  function setState(state, text, detail) {
    el.connState.dataset.state = state;
    el.connState.textContent = text;
    document.body.dataset.conn = state;
    if (detail !== undefined) el.connDetail.textContent = detail;
    const open = state === 'open';
    const active = state === 'open' || state === 'connecting' || state === 'reconnecting';
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

    // One <details> per frame: its summary is the compact one-line view, opening it shows the
    // JSON; native, so Enter and Space open it from the keyboard.
    const details = node('details', 'entry-details');
    const head = node('summary', 'entry-head');
    const time = node('time', 'entry-time', clock(now));
    time.dateTime = now.toISOString();
    const arrow = node('span', 'entry-dir', dir === 'out' ? '\u2192' : dir === 'in' ? '\u2190' : '\u2022');
    arrow.title = dir === 'out' ? 'sent' : dir === 'in' ? 'received' : 'console';
    head.append(time, arrow, node('span', 'entry-type', type));
    const summary = typeof payload === 'string' ? '' : summaryOf(payload);
    if (summary) head.append(node('span', 'entry-summary', summary));
    const line = dir === 'sys' ? payload : oneLine(payload);
    head.append(node('span', dir === 'sys' ? 'entry-text' : 'entry-line', line));
    details.append(head);
    const body = typeof payload === 'string' ? payload : pretty(payload);
    if (dir !== 'sys') {
      details.append(node('pre', 'entry-body', body));
      details.open = !el.logCompact.checked;
    }
    li.append(details);
    li.dataset.search = `${type} ${summary} ${body}`.toLowerCase();
    li.hidden = !matchesFilter(li);

    el.log.prepend(li);
    while (el.log.childElementCount > LOG_CAP) el.log.lastElementChild.remove();
    updateLogCount();
  }

  function matchesFilter(li) {
    const q = el.logFilter.value.trim().toLowerCase();
    return q === '' || li.dataset.search.includes(q);
  }

  function applyFilter() {
    for (const li of el.log.children) li.hidden = !matchesFilter(li);
    updateLogCount();
  }

  function applyCompact() {
    for (const d of el.log.querySelectorAll('li:not(.dir-sys) details')) d.open = !el.logCompact.checked;
  }

  function updateLogCount() {
    const n = el.log.childElementCount;
    const shown = el.log.querySelectorAll(':scope > li:not([hidden])').length;
    const total = `${n} ${n === 1 ? 'entry' : 'entries'}`;
    el.logCount.textContent = shown === n ? total : `${shown} of ${total}`;
  }

  // ---------------------------------------------------------------- connection

  /** The close's label and human text, from CLOSE_CODES or the server's reason. */
  function describeClose(code, reason) {
    const info = CLOSE_CODES[code];
    const label = reason || (info ? info[0] : '');
    return { text: `closed ${code}${label ? ' ' + label : ''}`, detail: info ? info[1] : `Closed with code ${code}.` };
  }

  function connect() {
    const token = el.token.value.trim();
    const channelId = el.channelId.value.trim();
    if (!token || !channelId) {
      el.connDetail.textContent = !token ? 'Enter a token first.' : 'Enter a channel id first.';
      (!token ? el.token : el.channelId).focus();
      return;
    }
    savePrefs();
    if (client) disconnect('reconnecting');

    hideRefusal();
    clearWelcome();
    let c;
    let hadSession = false;
    try {
      c = new SwitchboardClient({
        url: BASE, token, channelId, ack: 'auto',
        // A refusal of the first attempt is shown to the user (who fixes the token or closes the
        // other tab), not retried; once a session was open, the client reconnects and resumes.
        shouldReconnect: () => hadSession,
      });
    } catch (e) {
      setState('closed', 'closed', `Cannot connect: ${e.message}`);
      return;
    }
    client = c;
    // The subscriptions of the last connection come along, resuming where it stopped (the
    // checkbox), as when the client reconnects by itself.
    if (el.resumeSubs.checked) {
      for (const [topic, s] of subs) {
        const since = typeof s.offset === 'number' && typeof s.epoch === 'string' ? { offset: s.offset, epoch: s.epoch } : undefined;
        c.subscribe(topic, null, { since });
      }
    } else {
      subs.clear();
      renderSubs();
    }
    const mine = (handler) => (payload) => { if (client === c) handler(payload); };
    c.on('connecting', mine(({ transport, attempt }) => {
      setState('connecting', 'connecting', `Connecting to channel \u201c${channelId}\u201d\u2026`);
      log('sys', `connecting to channel ${channelId} (${transport}${attempt > 1 ? `, attempt ${attempt}` : ''})`);
    }));
    c.on('open', mine((welcome) => { hadSession = true; onWelcome(welcome); }));
    c.on('frame', mine(({ direction, frame, text, invalid }) => {
      if (invalid) log(direction, text, { invalid: true });
      else log(direction, frame);
    }));
    c.on('subscribed', mine(onSubscribed));
    c.on('recovery_failed', mine(onRecoveryFailed));
    c.on('message', mine(onMessage));
    c.on('error', mine(onError));
    c.on('closed', mine((ev) => onClosed(ev, hadSession)));
    c.on('reconnecting', mine(({ delayMs, attempt }) => {
      setState('reconnecting', 'reconnecting', `${el.connDetail.textContent} Reconnecting in ${(delayMs / 1000).toFixed(1)} s\u2026`);
      log('sys', `reconnecting in ${delayMs} ms (attempt ${attempt})`);
    }));
    c.connect();
  }

  function disconnect(reason = 'client disconnect') {
    const c = client;
    if (!c) return;
    client = null;
    c.close(reason);
    const info = CLOSE_CODES[1000];
    setState('closed', `closed 1000 ${info[0]}`, 'You disconnected.');
    markSubsInactive();
    log('sys', `disconnected (${reason})`);
  }

  /**
   * A session closed, or an attempt failed (the client has asked the server why: status, error,
   * message). hadSession: this connect() had an open session before, so a refusal now means the
   * server changed, not that the user typed a wrong token.
   */
  function onClosed(ev, hadSession) {
    markSubsInactive();
    if (ev.willRetry && !el.resumeSubs.checked) {
      for (const topic of client.topics) client.unsubscribe(topic); // nothing to resubscribe after the reconnect
      subs.clear();
      renderSubs();
    }
    if (ev.wasOpen) {
      const { text, detail } = describeClose(ev.code, ev.reason);
      log('sys', `${text}${ev.willRetry ? '' : ' (not reconnecting)'}`);
      setState('closed', text, detail);
      return;
    }
    const refused = Object.prototype.hasOwnProperty.call(REFUSALS, ev.status) && typeof ev.message === 'string';
    if (ev.willRetry) {
      log('sys', refused ? `handshake refused: ${ev.status} ${ev.error ?? ''} ${ev.message}`.replace(/\s+/g, ' ')
        : `connecting failed: ${ev.reason}`);
      setState('closed', refused ? `refused ${ev.status}` : 'closed 1006 abnormal', refused ? REFUSALS[ev.status] : ev.reason);
      return;
    }
    if (ev.status === 0) {
      setState('closed', 'closed 1006 abnormal', 'The server could not be reached. Is it running, and is this the right address?');
      log('sys', `connecting failed: ${ev.reason}`);
      return;
    }
    el.refusal.hidden = false;
    if (refused) {
      el.refusalStatus.textContent = String(ev.status);
      el.refusalError.textContent = ev.error === undefined ? '' : String(ev.error);
      el.refusalMessage.textContent = ev.message;
      // A dev-mode server makes a new secret at every start: after its restart the old token is
      // refused, and only the user can paste the new one.
      el.refusalExplain.textContent = ev.status === 401 && hadSession
        ? `${REFUSALS[401]} The server accepted it before: if it restarted in dev mode, it made a new secret; paste the DEV_TOKEN it printed and connect.`
        : REFUSALS[ev.status];
      setState('refused', `refused ${ev.status}`, 'The server refused the handshake: see below.');
      log('sys', `handshake refused: ${ev.status} ${ev.error ?? ''} ${ev.message}`.replace(/\s+/g, ' '));
    } else {
      el.refusalStatus.textContent = ev.status ? String(ev.status) : '';
      el.refusalError.textContent = '';
      el.refusalMessage.textContent = 'handshake refused (see server log)';
      el.refusalExplain.textContent = 'The server refused the WebSocket handshake without saying why to this page.';
      setState('refused', 'refused', 'handshake refused (see server log)');
      log('sys', `handshake refused (see server log)${ev.status ? '; plain GET answered ' + ev.status : ''}`);
    }
  }

  /** Runs a client call that needs an open session; false (and a log line) if there is none. */
  function whenOpen(action) {
    if (!isOpen()) {
      log('sys', 'not connected: frame not sent');
      return false;
    }
    try {
      action(client);
      return true;
    } catch (e) {
      log('sys', `not sent: ${e.message}`);
      return false;
    }
  }

  // ---------------------------------------------------------------- incoming frames

  function onWelcome(w) {
    setText(el.wSession, w.sessionId);
    setText(el.wChannel, w.channelId);
    setText(el.wUser, w.user);
    setText(el.wHeartbeat, typeof w.heartbeatMs === 'number' ? `${w.heartbeatMs} ms` : w.heartbeatMs);
    hideRefusal();
    setState('open', 'open', `Connected as \u201c${w.user ?? '?'}\u201d on channel \u201c${w.channelId ?? client?.channelId ?? '?'}\u201d.`);
    log('sys', `session open (${w.transport})`);
    // The client sends every subscription again, with "since" where it has a position.
    for (const s of subs.values()) s.state = 'pending';
    renderSubs();
    refreshPanels();
  }

  function onSubscribed(f) {
    const s = subs.get(f.topic) || {};
    s.state = 'subscribed';
    s.offset = f.offset;
    s.epoch = f.epoch;
    s.recovered = f.recovered;
    s.resumed = f.resumed;
    delete s.error;
    subs.set(f.topic, s);
    renderSubs();
  }

  function onRecoveryFailed(f) {
    const range = f.epochChanged ? `after #${f.lastOffset} (the server's history was reset)` : `#${f.lastOffset + 1} to #${f.offset}`;
    log('sys', `topic ${f.topic}: messages ${range} could not be recovered`);
  }

  function onMessage(m) {
    if (typeof m.topic === 'string' && subs.has(m.topic)) {
      const s = subs.get(m.topic);
      if (m.offset !== undefined) s.offset = m.offset;
      if (m.epoch !== undefined) s.epoch = m.epoch;
      renderSubs();
    }
    showIncoming(m); // an "ack": true message is acked by the client once this returns
  }

  function onError(e) {
    if (!e.server) {
      log('sys', `client: ${e.message}`);
      return;
    }
    const topic = e.ref?.topic;
    if (typeof topic === 'string' && subs.has(topic) && (e.ref.type === undefined || e.ref.type === 'subscribe')) {
      const s = subs.get(topic);
      if (s.state === 'pending') { s.state = 'error'; s.error = e.message; renderSubs(); }
    }
  }

  function ping() {
    whenOpen((c) => {
      el.pingResult.textContent = 'ping sent\u2026';
      c.ping().then((ms) => { el.pingResult.textContent = `pong after ${Math.round(ms)} ms`; },
        () => { el.pingResult.textContent = 'no pong: the connection closed'; });
    });
  }

  // ---------------------------------------------------------------- incoming panel

  /**
   * A message's data as the pop-up shows it: text large, a flat object as a large key/value
   * list (the call-centre card), anything nested as nested lists, readable at any depth.
   */
  function renderData(data) {
    if (typeof data === 'string') return node('p', 'incoming-text', data);
    if (data === undefined) return node('p', 'incoming-text muted', '(no data)');
    if (isPlainObject(data)) {
      const keys = Object.keys(data);
      const flat = keys.length > 0 && keys.length <= 16 &&
        keys.every((k) => data[k] === null || typeof data[k] !== 'object');
      if (flat) {
        const dl = node('dl', 'incoming-kv');
        for (const k of keys) dl.append(node('dt', null, k), node('dd', null, String(data[k])));
        return dl;
      }
    } else if (typeof data !== 'object' || data === null) {
      return node('p', 'incoming-text', String(data));
    }
    const nested = node('div', 'incoming-nested');
    nested.append(renderValue(data));
    return nested;
  }

  function showIncoming(f) {
    const now = new Date();
    let source = '';
    if (f.channel !== undefined) source = `channel ${f.channel}`;
    else if (f.topic !== undefined) source = `topic ${f.topic}${f.offset !== undefined ? ' #' + f.offset : ''}`;
    else if (f.user !== undefined) source = `user ${f.user}${f.destination !== undefined ? ' \u00b7 ' + f.destination : ''}`;
    if (f.ackRequired) source += ' \u00b7 acked';

    const li = node('li', 'incoming-item flash');
    const head = node('div', 'incoming-item-head');
    const dismiss = node('button', 'btn btn-ghost btn-small incoming-item-dismiss', '\u00d7');
    dismiss.type = 'button';
    dismiss.setAttribute('aria-label', `Dismiss the item from ${source || 'the server'} at ${clock(now)}`);
    dismiss.title = 'Dismiss';
    dismiss.addEventListener('click', () => {
      // Keep the keyboard user in the list: focus the next item's button, or the list's.
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      updateIncoming();
      (next?.querySelector('.incoming-item-dismiss') || el.incomingDismiss).focus();
    });
    head.append(timeElement(now, 'incoming-time'), node('span', 'incoming-source', source), node('span', 'spacer'), dismiss);
    const data = node('div', 'incoming-data');
    data.append(renderData(f.data));
    li.append(head, data);
    el.incomingList.prepend(li);
    while (el.incomingList.childElementCount > INCOMING_CAP) el.incomingList.lastElementChild.remove();
    updateIncoming();
    if (document.visibilityState !== 'visible') {
      unread += 1;
      document.title = `(${unread}) Incoming \u2013 ${baseTitle}`;
    }
  }

  function updateIncoming() {
    const n = el.incomingList.childElementCount;
    el.incoming.dataset.state = n > 0 ? 'message' : 'empty';
    el.incomingEmpty.hidden = n > 0;
    el.incomingCount.textContent = n === 0 ? 'no items' : `${n} ${n === 1 ? 'item' : 'items'}`;
    el.incomingDismiss.disabled = n === 0;
  }

  function dismissIncoming() {
    el.incomingList.replaceChildren();
    updateIncoming();
  }

  // ---------------------------------------------------------------- subscriptions

  function subscribe(topic) {
    topic = topic.trim();
    if (!topic) { el.subTopic.focus(); return; }
    if (!isOpen()) { log('sys', 'not connected: frame not sent'); return; }
    if (client.topics.includes(topic)) { log('sys', `already subscribed to ${topic}`); return; }
    const s = subs.get(topic) || {};
    s.state = 'pending';
    s.resumed = false;
    delete s.error;
    subs.set(topic, s);
    whenOpen((c) => c.subscribe(topic));
    renderSubs();
  }

  function unsubscribe(topic) {
    topic = topic.trim();
    if (!topic) { el.subTopic.focus(); return; }
    subs.delete(topic);
    client?.unsubscribe(topic);
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

  /** "updated HH:MM:SS.mmm" for a panel's status line: shows the 5 s refresh is alive. */
  function updated() {
    return `updated ${clock(new Date())}`;
  }

  /** Both panels at once: the timer, a page becoming visible, a new session. */
  function refreshPanels() {
    refreshChannels();
    refreshNodes();
  }

  // ---------------------------------------------------------------- open channels

  let channelsInFlight = false;
  let channelsAgain = false;

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
      since.append(timeElement(ch.since));
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
    whenOpen((c) => c.publish(topic, parseData(el.publishData.value)));
  });
  el.sendForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const to = el.sendTo.value.trim();
    if (!to) { el.sendTo.focus(); return; }
    whenOpen((c) => c.send(to, parseData(el.sendData.value)));
  });
  for (const [area, form] of [[el.publishData, el.publishForm], [el.sendData, el.sendForm]]) {
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    });
  }
  el.pingBtn.addEventListener('click', ping);

  el.logClearBtn.addEventListener('click', () => { el.log.replaceChildren(); updateLogCount(); });
  el.logFilter.addEventListener('input', applyFilter);
  el.logCompact.addEventListener('change', applyCompact);
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
  window.addEventListener('pagehide', () => client?.close('page closed'));

  const autoConnect = loadPrefs();
  updateCurl();
  renderSubs();
  setState('idle', 'not connected', 'Enter a token and a channel id, then connect.');
  if (el.token.value.trim()) refreshPanels();
  if (autoConnect) connect();
})();
