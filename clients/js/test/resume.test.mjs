// Reconnect and resume, seen from outside: the client connects to the shared server through a TCP
// proxy that the test uses to cut its connections, as a network failure or a restarted load
// balancer would (the client sees 1006, a close it must retry after: docs/protocol.md, Close codes, and
// RetryDecision.java). Messages are published over the HTTP API straight to the server.
//
// Why a proxy and not a close sent by the server: the server's own closes that a client must
// retry after are 1001 (restart: the history is gone, see restart.test.mjs), 4001 (no heart-beat
// answer, which a WebSocket library gives by itself), 4008 (slow consumer) and the cluster's
// 1013/4010; the operator's 4000 and the replace policy's 4009 mean "stop" (tested in
// connection.test.mjs and restart.test.mjs).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient } from '../src/switchboard.js';
import {
  BASE, HISTORY_SIZE, Recorder, TcpProxy, WebSocket, mintToken, publish, unique, within,
} from './support.mjs';

describe('reconnect and resume', () => {
  let proxy;
  const clients = [];

  before(async () => { proxy = await TcpProxy.start(BASE); });
  after(async () => {
    for (const c of clients) c.close();
    await proxy?.close();
  });

  /** A client of a fresh channel through the proxy, quick to retry so the tests stay short. */
  function client(options = {}) {
    const user = unique('resume-user');
    const c = new SwitchboardClient({
      url: proxy.url,
      token: mintToken({ sub: user }),
      channelId: unique('resume'),
      WebSocket,
      backoff: { initialMs: 50, maxMs: 500 },
      ...options,
    });
    clients.push(c);
    return { client: c, events: new Recorder(c) };
  }

  test('after a lost connection it reconnects and resumes every topic, without a gap or a duplicate', async () => {
    const { client: c, events } = client();
    const [news, sports] = [unique('news'), unique('sports')];
    const got = { [news]: [], [sports]: [] };
    c.subscribe(news, (m) => got[news].push(m.data));
    c.subscribe(sports, (m) => got[sports].push(m.data));
    await within(c.connect(), 'connect');
    assert.equal(c.transport, 'websocket');
    await publish(news, 'n1');
    await publish(sports, 's1');
    await events.waitFor(() => got[news].length === 1 && got[sports].length === 1, 'n1 and s1');
    assert.equal(c.position(news).offset, 1);
    events.drain('subscribed'); // the first connection's answers

    proxy.refuse(true); // stay offline while messages are published
    proxy.cut();
    const closed = await events.next('closed');
    assert.equal(closed.code, 1006);
    assert.equal(closed.willRetry, true);
    assert.equal(closed.wasOpen, true);
    await events.next('reconnecting');
    for (const n of ['n2', 'n3']) await publish(news, n);
    await publish(sports, 's2');
    proxy.refuse(false);

    const answers = [await events.next('subscribed'), await events.next('subscribed')];
    for (const a of answers) {
      assert.equal(a.recovered, true, `resumed ${a.topic}: ${JSON.stringify(a)}`);
      assert.equal(a.resumed, true);
    }
    await events.waitFor(() => got[news].length === 3 && got[sports].length === 2, 'the missed messages');
    await publish(news, 'n4'); // and live ones follow
    await events.waitFor(() => got[news].length === 4, 'n4');
    assert.deepEqual(got[news], ['n1', 'n2', 'n3', 'n4']);
    assert.deepEqual(got[sports], ['s1', 's2']);
    assert.equal(events.count('recovery_failed'), 0);
    assert.equal(events.count('open'), 2);
    assert.equal(c.state, 'open');
  });

  test('every message of a numbered burst arrives exactly once and in order through 10 forced disconnects', { timeout: 120_000 }, async (t) => {
    const { client: c, events } = client();
    const topic = unique('burst');
    const received = [];
    c.subscribe(topic, (m) => received.push(m.data.n));
    await within(c.connect(), 'connect');
    events.drain('subscribed');

    // The backend publishes a numbered burst, one request after the other (so the server
    // accepts them in this order), for as long as the disconnects go on and a little after.
    let published = 0;
    let stop = false;
    const publisher = (async () => {
      while (!stop) await publish(topic, { n: ++published });
      for (let i = 0; i < 200; i++) await publish(topic, { n: ++published });
    })();
    try {
      for (let cut = 1; cut <= 10; cut++) {
        // Cut only while the burst flows into an established session: 200 new messages first.
        const seen = received.length;
        await events.waitFor(() => c.state === 'open' && received.length >= seen + 200, `messages before cut ${cut}`, 30_000);
        proxy.cut();
        const resumed = await events.next('subscribed', 30_000);
        assert.deepEqual([resumed.topic, resumed.resumed, resumed.recovered], [topic, true, true],
          `cut ${cut}: ${JSON.stringify(resumed)}`);
        // The lost session, then perhaps refused attempts (409 while the server has not yet seen
        // the old connection go): all retried.
        const closes = events.drain('closed');
        assert.deepEqual([closes[0]?.code, closes[0]?.wasOpen], [1006, true], `cut ${cut}: ${JSON.stringify(closes)}`);
        assert.ok(closes.every((e) => e.willRetry), `cut ${cut}: ${JSON.stringify(closes)}`);
      }
    } finally {
      stop = true;
      await publisher;
    }
    await events.waitFor(() => received.length >= published, `all ${published} messages`, 30_000);
    const expected = Array.from({ length: published }, (_, i) => i + 1);
    assert.deepEqual(received, expected, 'every number once, in order');
    assert.equal(events.count('open'), 11, 'one session per cut, plus the first');
    assert.equal(events.count('recovery_failed'), 0);
    t.diagnostic(`${published} messages, ${events.count('closed') - 10} refused reconnect attempts, transports ${[...new Set(events.of('open').map((o) => o.transport))]}`);
  });

  test('subscribe with since resumes from a position kept elsewhere, as after a page reload', async () => {
    const topic = unique('reload');
    const first = client();
    const before = [];
    first.client.subscribe(topic, (m) => before.push(m.data));
    await within(first.client.connect(), 'connect');
    for (const n of [1, 2]) await publish(topic, n);
    await first.events.waitFor(() => before.length === 2, 'messages 1 and 2');
    const saved = first.client.position(topic);
    first.client.close();
    for (const n of [3, 4]) await publish(topic, n); // while the page reloads

    const again = client();
    const after = [];
    again.client.subscribe(topic, (m) => after.push(m.data), { since: saved });
    await within(again.client.connect(), 'connect');
    const answer = await again.events.next('subscribed');
    assert.deepEqual([answer.resumed, answer.recovered], [true, true]);
    await again.events.waitFor(() => after.length === 2, 'messages 3 and 4');
    assert.deepEqual(after, [3, 4]);
  });

  test('a gap the history cannot fill is reported as recovered: false and recovery_failed, then live messages continue', { timeout: 120_000 }, async () => {
    const { client: c, events } = client();
    const topic = unique('gap');
    const received = [];
    c.subscribe(topic, (m) => received.push(m.data));
    await within(c.connect(), 'connect');
    events.drain('subscribed');
    for (const n of [1, 2, 3]) await publish(topic, n);
    await events.waitFor(() => received.length === 3, 'the first 3 messages');
    const { epoch } = c.position(topic);

    proxy.refuse(true);
    proxy.cut();
    await events.next('closed');
    // More than the server keeps per topic, so offset 4 is gone when the client comes back.
    const missed = HISTORY_SIZE + 5;
    let next = 4;
    const workers = Array.from({ length: 8 }, async () => {
      while (next <= 3 + missed) await publish(topic, next++);
    });
    await Promise.all(workers);
    proxy.refuse(false);

    const failure = await events.next('recovery_failed', 30_000);
    assert.deepEqual(failure, { topic, lastEpoch: epoch, lastOffset: 3, epoch, offset: 3 + missed, epochChanged: false });
    const answer = await events.next('subscribed');
    assert.deepEqual([answer.recovered, answer.resumed, answer.offset], [false, true, 3 + missed]);
    await publish(topic, 'live');
    await events.waitFor(() => received.includes('live'), 'the live message after the gap');
    assert.deepEqual(received, [1, 2, 3, 'live'], 'nothing of the lost range is replayed by halves');
    assert.deepEqual(c.position(topic), { epoch, offset: 4 + missed });
  });

  test('a topic message lost in transit within a session is noticed by its offset and read back', async () => {
    // A connection that loses one frame without closing: what a polling answer that died with its
    // TCP connection looks like to a SockJS client, which then polls the same session again.
    const topic = unique('lossy');
    let dropped = false;
    class LossyWebSocket extends WebSocket {
      set onmessage(handler) {
        super.onmessage = (ev) => {
          if (!dropped && typeof ev.data === 'string' && ev.data.includes('"data":"m3"')) {
            dropped = true;
            return;
          }
          handler(ev);
        };
      }

      get onmessage() { return super.onmessage; }
    }
    const { client: c, events } = client({ WebSocket: LossyWebSocket });
    const got = [];
    c.subscribe(topic, (m) => got.push(m.data));
    await within(c.connect(), 'connect');
    for (const n of [1, 2, 3, 4, 5]) await publish(topic, `m${n}`);

    await events.waitFor(() => got.length === 5, 'all five messages');
    assert.ok(dropped, 'the frame of m3 was dropped in transit');
    assert.deepEqual(got, ['m1', 'm2', 'm3', 'm4', 'm5'], 'in order, each once');
    const closed = events.drain('closed');
    assert.equal(closed.length, 1, 'one reconnect');
    assert.match(closed[0].reason, /offset 4 arrived where 3 was due/);
  });
});
