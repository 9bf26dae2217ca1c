// The client against the shared server, as an application uses it: connect, the frames of the
// native protocol, refusals and the closes after which it must not come back, and acks.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SwitchboardClient, SwitchboardError } from '../src/switchboard.js';
import {
  BASE, Recorder, WebSocket, api, eventually, mintToken, publish, pushToUser, unique, within,
} from './support.mjs';

const clients = [];
after(() => { for (const c of clients) c.close(); });

function client({ user = unique('user'), roles = [], channelId = unique('chan'), ...options } = {}) {
  const c = new SwitchboardClient({ url: BASE, token: mintToken({ sub: user, roles }), channelId, WebSocket, ...options });
  clients.push(c);
  return { client: c, events: new Recorder(c), user, channelId };
}

async function pendingAcks(user) {
  const res = await api('GET', `api/v1/users/${encodeURIComponent(user)}/inbox`);
  assert.equal(res.status, 200, res.text);
  return res.json.pending;
}

describe('connecting', () => {
  test('the server serves this very module at /js/switchboard.js', async () => {
    const res = await fetch(new URL('js/switchboard.js', BASE));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^(text|application)\/javascript/);
    assert.equal(await res.text(), await readFile(new URL('../src/switchboard.js', import.meta.url), 'utf8'));
  });

  test('connects with token and channelId, reports its states, and is welcomed', async () => {
    const { client: c, events, user, channelId } = client();
    assert.equal(c.state, 'idle');
    const connected = c.connect();
    assert.equal(c.state, 'connecting');
    await within(connected, 'connect');
    assert.equal(c.state, 'open');
    assert.equal(c.transport, 'websocket');
    assert.deepEqual(await events.next('connecting'), { transport: 'websocket', attempt: 1 });
    const open = await events.next('open');
    assert.deepEqual([open.user, open.channelId, open.transport, open.heartbeatMs], [user, channelId, 'websocket', 25_000]);
    assert.ok(open.sessionId);
    assert.deepEqual(c.session, { sessionId: open.sessionId, channelId, user, heartbeatMs: 25_000 });
    assert.ok((await within(c.ping(), 'pong')) >= 0);
    c.close();
    assert.equal(c.state, 'closed');
    assert.deepEqual(await events.next('closed'),
      { code: 1000, reason: 'client closed', wasOpen: true, willRetry: false, transport: 'websocket' });
    await assert.rejects(c.connect(), (e) => e instanceof SwitchboardError && e.code === 'closed');
  });

  test('publish and send need an open session: nothing is queued while offline', () => {
    const { client: c } = client();
    assert.throws(() => c.publish('news', 1), (e) => e instanceof SwitchboardError && e.code === 'not_connected');
    assert.throws(() => c.send('echo', 'hello'), (e) => e.code === 'not_connected');
  });

  test('a bad token is refused with 401 and, being fixed, not tried again', async () => {
    const [header, payload] = mintToken({ sub: 'mallory' }).split('.');
    const c = new SwitchboardClient({ url: BASE, token: `${header}.${payload}.AAAA`, channelId: unique('chan'), WebSocket });
    clients.push(c);
    const events = new Recorder(c);
    await assert.rejects(c.connect(), (e) => e.code === 'refused' && e.status === 401);
    const closed = await events.next('closed');
    assert.deepEqual([closed.status, closed.error, closed.willRetry, closed.wasOpen], [401, 'unauthorized', false, false]);
    assert.ok(closed.message, 'the server\'s message');
    assert.equal(c.state, 'stopped');
    assert.equal(events.count('reconnecting'), 0);
  });

  test('after a 401 a token function is asked again and the client connects with the new token', async () => {
    const user = unique('user');
    const [header, payload] = mintToken({ sub: user }).split('.');
    const tokens = [`${header}.${payload}.AAAA`, mintToken({ sub: user })];
    let asked = 0;
    const c = new SwitchboardClient({
      url: BASE, channelId: unique('chan'), WebSocket, backoff: { initialMs: 50 },
      token: async () => tokens[Math.min(asked++, 1)],
    });
    clients.push(c);
    const events = new Recorder(c);
    await within(c.connect(), 'connect');
    const closed = await events.next('closed');
    assert.deepEqual([closed.status, closed.willRetry], [401, true]);
    assert.equal((await events.next('open')).user, user);
  });

  test('a channel the token does not permit is refused with 403, and not tried again', async () => {
    const c = new SwitchboardClient({
      url: BASE, token: mintToken({ sub: 'bob', channels: ['bob-*'] }), channelId: unique('alice'), WebSocket,
    });
    clients.push(c);
    const events = new Recorder(c);
    await assert.rejects(c.connect(), (e) => e.code === 'refused' && e.status === 403);
    assert.deepEqual([(await events.next('closed')).error, c.state], ['forbidden', 'stopped']);
  });

  test('a busy channel (409) is tried again until its session leaves', async () => {
    const first = client();
    await within(first.client.connect(), 'first connect');
    const second = client({ channelId: first.channelId, backoff: { initialMs: 50, maxMs: 200 } });
    const connected = second.client.connect();
    const refused = await second.events.next('closed');
    assert.deepEqual([refused.status, refused.error, refused.willRetry], [409, 'conflict', true]);
    assert.ok((await second.events.next('reconnecting')).delayMs <= 50);
    first.client.close();
    await within(connected, 'the second client to connect once the first left');
    assert.equal((await second.events.next('open')).channelId, first.channelId);
  });

  test('an operator\'s disconnect (4000) closes the session and the client stays away', async () => {
    const { client: c, events, channelId } = client();
    await within(c.connect(), 'connect');
    const res = await api('DELETE', `api/v1/channels/${channelId}`);
    assert.ok(res.status >= 200 && res.status < 300, `DELETE answered ${res.status} ${res.text}`);
    const closed = await events.next('closed');
    assert.deepEqual([closed.code, closed.willRetry, closed.wasOpen], [4000, false, true]);
    assert.equal(c.state, 'stopped');
    assert.equal(events.count('reconnecting'), 0);
  });

  test('shouldReconnect can keep the client away after a close it would retry', async () => {
    const first = client();
    await within(first.client.connect(), 'first connect');
    const second = client({ channelId: first.channelId, shouldReconnect: () => false });
    await assert.rejects(second.client.connect(), (e) => e.status === 409);
    assert.deepEqual([(await second.events.next('closed')).willRetry, second.client.state], [false, 'stopped']);
  });
});

describe('messages', () => {
  test('topic, channel, user and broadcast messages; publish; send to echo; per-topic handlers', async () => {
    const { client: c, events, user, channelId } = client({ roles: ['publisher'] });
    const topic = unique('news');
    const onTopic = [];
    const off = c.subscribe(topic, (m) => onTopic.push(m.data));
    c.subscribe('echo');
    await within(c.connect(), 'connect');
    const messages = [];
    c.on('message', (m) => messages.push(m));

    c.publish(topic, { headline: 'from the client' });
    // Two ways into the server, so no order between them: one after the other.
    await events.waitFor(() => onTopic.length === 1, 'the client\'s own message');
    await publish(topic, 'from the backend');
    c.send('echo', 'hello');
    await events.waitFor(() => onTopic.length === 2 && messages.some((m) => m.topic === 'echo'), 'topic and echo messages');
    assert.deepEqual(onTopic, [{ headline: 'from the client' }, 'from the backend']);
    assert.equal(messages.find((m) => m.topic === 'echo').data, 'reply: hello');
    assert.deepEqual(c.position(topic), { epoch: messages[0].epoch, offset: 2 });

    assert.equal((await api('POST', `api/v1/channels/${channelId}/messages`, { data: { caller: '+49 30 1234' } })).status, 202);
    await pushToUser(user, { data: 'to the user', destination: 'calls' });
    assert.equal((await api('POST', 'api/v1/broadcast', { data: 'everyone' })).status, 202);
    await events.waitFor(() => messages.some((m) => m.broadcast), 'the broadcast');
    const [forChannel, forUser, broadcast] = messages.filter((m) => m.topic === undefined);
    assert.deepEqual([forChannel.channel, forChannel.data], [channelId, { caller: '+49 30 1234' }]);
    assert.deepEqual([forUser.user, forUser.destination, forUser.data], [user, 'calls', 'to the user']);
    assert.deepEqual([broadcast.broadcast, broadcast.data], [true, 'everyone']);

    off(); // the last subscription of the topic ends: unsubscribed
    assert.deepEqual(c.topics, ['echo']);
    assert.equal(c.position(topic), undefined);
  });

  test('the server\'s error frames reach the application as error events; the session stays open', async () => {
    const { client: c, events } = client(); // no publisher role
    await within(c.connect(), 'connect');
    c.publish(unique('news'), 'not allowed');
    const error = await events.next('error');
    assert.ok(error instanceof SwitchboardError);
    assert.deepEqual([error.code, error.ref?.type], ['forbidden', 'publish']);
    assert.equal(c.state, 'open');
  });

  test('ack auto: a message is acked once its handlers returned; a handler that throws leaves it for redelivery', async () => {
    const { client: c, events, user } = client();
    const seen = [];
    c.on('message', (m) => {
      seen.push({ id: m.id, redelivered: m.redelivered });
      if (seen.length === 1) throw new Error('not now');
    });
    await within(c.connect(), 'connect');
    const { id } = await pushToUser(user, { data: 'call me', ack: true });
    const thrown = await events.next('error');
    assert.equal(thrown.code, 'listener');
    await events.waitFor(() => seen.length === 2, 'the redelivery', 15_000);
    assert.deepEqual(seen, [{ id, redelivered: false }, { id, redelivered: true }]);
    await eventually(async () => (await pendingAcks(user)).length === 0, 'the inbox to be empty');
  });

  test('ack manual: redelivered until message.ack(), which clears the inbox', async () => {
    const { client: c, events, user } = client({ ack: 'manual' });
    const seen = [];
    c.on('message', (m) => seen.push(m));
    await within(c.connect(), 'connect');
    const { id } = await pushToUser(user, { data: 'call me', ack: true });
    await events.waitFor(() => seen.length === 2, 'the redelivery of the unacked message', 15_000);
    assert.deepEqual(seen.map((m) => [m.id, m.ackRequired, m.redelivered]), [[id, true, false], [id, true, true]]);
    assert.equal((await pendingAcks(user)).length, 1);
    seen[1].ack();
    assert.equal(seen[1].acked, true);
    await eventually(async () => (await pendingAcks(user)).length === 0, 'the inbox to be empty');
  });

  test('an async handler: the ack waits for its promise', async () => {
    const { client: c, user } = client();
    let finish;
    const handled = new Promise((resolve) => { finish = resolve; });
    const started = new Promise((resolve) => {
      c.on('message', (m) => { resolve(m); return handled; });
    });
    await within(c.connect(), 'connect');
    await pushToUser(user, { data: 'slow work', ack: true });
    const message = await within(started, 'the message');
    assert.equal(message.acked, false);
    finish();
    await eventually(async () => message.acked && (await pendingAcks(user)).length === 0, 'the ack after the promise');
  });
});
