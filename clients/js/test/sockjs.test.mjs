// The SockJS fallback (/sockjs/channel, xhr-streaming and xhr-polling over fetch), seen from
// outside. "WebSocket does not get through" is a WebSocket constructor whose sockets always fail
// before they open, as a browser reports a proxy that strips Upgrade (a bare 1006); the client
// must learn from the server that it would have accepted the handshake (a plain GET: 426) and
// fall back, instead of giving up or retrying WebSocket for ever.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient } from '../src/switchboard.js';
import {
  BASE, OwnServer, Recorder, TcpProxy, api, eventually, mintToken, publish, pushToUser, unique, within,
} from './support.mjs';

/** A WebSocket that never opens: what a page sees behind a proxy that refuses the upgrade. */
class RefusedWebSocket {
  static created = 0;
  readyState = 0;
  constructor(url) {
    RefusedWebSocket.created++;
    this.url = url;
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.({ type: 'error' });
      this.onclose?.({ code: 1006, reason: '', wasClean: false });
    }, 0);
  }
  send() { throw new Error('not open'); }
  close() {}
}

const clients = [];
after(() => { for (const c of clients) c.close(); });

function client({ url = BASE, user = unique('sockjs-user'), roles = [], ...options } = {}) {
  const c = new SwitchboardClient({
    url, token: mintToken({ sub: user, roles }), channelId: unique('sockjs'), WebSocket: RefusedWebSocket, ...options,
  });
  clients.push(c);
  return { client: c, events: new Recorder(c), user };
}

async function pendingAcks(user) {
  const res = await api('GET', `api/v1/users/${encodeURIComponent(user)}/inbox`);
  assert.equal(res.status, 200, res.text);
  return res.json.pending;
}

describe('SockJS fallback', () => {
  test('when WebSocket does not get through it falls back to xhr-streaming, and everything works over it', async () => {
    let streams = 0;
    const countingFetch = (url, init) => {
      if (new URL(url).pathname.endsWith('/xhr_streaming')) streams++;
      return fetch(url, init);
    };
    const { client: c, events, user } = client({ roles: ['publisher'], fetch: countingFetch });
    const topic = unique('news');
    const received = [];
    c.subscribe(topic, (m) => received.push(m.data));
    await within(c.connect(), 'connect');
    assert.equal(c.transport, 'xhr-streaming');
    assert.deepEqual(events.drain('connecting').map((e) => e.transport), ['websocket', 'websocket', 'xhr-streaming'],
      'WebSocket tried twice (the server answered 426 both times), then SockJS');
    assert.equal((await events.next('open')).transport, 'xhr-streaming');

    c.publish(topic, 'from the client'); // client to server: xhr_send
    await events.waitFor(() => received.length === 1, 'the client\'s own message');
    await publish(topic, 'from the backend');
    await events.waitFor(() => received.length === 2, 'the backend\'s message');
    assert.deepEqual(received, ['from the client', 'from the backend']);
    assert.ok((await within(c.ping(), 'pong')) >= 0);

    // More than one streaming response holds (SWITCHBOARD_SOCKJS_STREAM_BYTES, 128 KiB): the client
    // opens the next one and nothing is lost or doubled on the way.
    const filler = 'x'.repeat(1024);
    for (let n = 1; n <= 200; n++) await publish(topic, { n, filler });
    await events.waitFor(() => received.length === 202, '200 messages of 1 KiB');
    assert.deepEqual(received.slice(2).map((d) => d.n), Array.from({ length: 200 }, (_, i) => i + 1));
    assert.ok(streams >= 2, `the stream was re-opened (${streams} xhr_streaming requests)`);

    await pushToUser(user, { data: 'ring', ack: true });
    await eventually(async () => (await pendingAcks(user)).length === 0, 'the ack to clear the inbox');
    assert.equal(events.of('message').find((m) => m.user === user)?.data, 'ring');
  });

  test('when streaming responses do not get through either, it uses xhr-polling', async () => {
    // A fetch that fails every xhr_streaming request, as behind a proxy that breaks long responses.
    const fetchWithoutStreaming = (url, init) => (new URL(url).pathname.endsWith('/xhr_streaming')
      ? Promise.reject(new TypeError('the proxy cut the streaming response'))
      : fetch(url, init));
    const { client: c, events } = client({ roles: ['publisher'], fetch: fetchWithoutStreaming });
    const topic = unique('news');
    const received = [];
    c.subscribe(topic, (m) => received.push(m.data));
    await within(c.connect(), 'connect');
    assert.equal(c.transport, 'xhr-polling');
    assert.deepEqual(events.drain('connecting').map((e) => e.transport), ['websocket', 'websocket', 'xhr-streaming', 'xhr-polling']);
    for (let n = 1; n <= 20; n++) await publish(topic, n);
    c.publish(topic, 21);
    await events.waitFor(() => received.length === 21, '21 messages over polling');
    assert.deepEqual(received, Array.from({ length: 21 }, (_, i) => i + 1));
  });

  test('a refusal over SockJS is the server\'s HTTP status (401) and the client stops', async () => {
    const [header, payload] = mintToken({ sub: 'mallory' }).split('.');
    const c = new SwitchboardClient({
      url: BASE, token: `${header}.${payload}.AAAA`, channelId: unique('sockjs'), transports: ['xhr-streaming'],
    });
    clients.push(c);
    const events = new Recorder(c);
    await assert.rejects(c.connect(), (e) => e.code === 'refused' && e.status === 401);
    const closed = await events.next('closed');
    assert.deepEqual([closed.status, closed.error, closed.willRetry], [401, 'unauthorized', false]);
  });

  describe('a lost connection', () => {
    // A server of our own with a 2 s heart-beat: over HTTP the server notices a lost stream at its
    // next heart-beat write and frees the channel SWITCHBOARD_SOCKJS_DISCONNECT_DELAY_MS later,
    // and until then the client's reconnects are refused with 409 (policy reject) and retried.
    let server;
    let proxy;
    before(async () => {
      server = await OwnServer.start('jsclient-sockjs', { 'heartbeat.ms': 2000 });
      proxy = await TcpProxy.start(server.url);
    });
    after(async () => {
      for (const c of clients) c.close();
      await proxy?.close();
      await server?.stop();
    });

    for (const transport of ['xhr-streaming', 'xhr-polling']) {
      test(`is resumed over ${transport} without a gap or a duplicate`, { timeout: 60_000 }, async () => {
        const { client: c, events } = client({ url: proxy.url, transports: [transport], backoff: { initialMs: 50, maxMs: 500 } });
        const topic = unique('news');
        const received = [];
        c.subscribe(topic, (m) => received.push(m.data));
        await within(c.connect(), 'connect');
        events.drain('subscribed');
        await publish(topic, 1, { base: server.url });
        await events.waitFor(() => received.length === 1, 'message 1');

        proxy.cut();
        for (let n = 2; n <= 4; n++) await publish(topic, n, { base: server.url });
        const answer = await events.next('subscribed', 20_000);
        assert.deepEqual([answer.resumed, answer.recovered], [true, true]);
        const [lost] = events.drain('closed');
        assert.deepEqual([lost.code, lost.wasOpen, lost.willRetry], [1006, true, true]);
        await publish(topic, 5, { base: server.url });
        await events.waitFor(() => received.length === 5, 'messages 2 to 5');
        assert.deepEqual(received, [1, 2, 3, 4, 5]);
        assert.equal(c.transport, transport);
        assert.equal(events.count('recovery_failed'), 0);
      });
    }
  });
});
