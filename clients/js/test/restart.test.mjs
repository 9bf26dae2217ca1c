// Closes sent by the server itself, on a standalone server of this file's own (JAR) with the
// channel policy `replace`: its 4009 (after which the client must not come back) and a restart
// (1001, after which it must, and finds the topic's history gone).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient } from '../src/switchboard.js';
import { OwnServer, Recorder, WebSocket, mintToken, publish, unique, within } from './support.mjs';

describe('closes sent by the server', () => {
  const servers = [];
  const clients = [];
  let server;
  before(async () => {
    server = await OwnServer.start('jsclient-closes', { 'channel.policy': 'replace' });
    servers.push(server);
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.stop();
  });

  function client(server, channelId = unique('chan')) {
    const c = new SwitchboardClient({
      url: server.url, token: mintToken({ sub: unique('user') }), channelId, WebSocket, backoff: { initialMs: 50, maxMs: 500 },
    });
    clients.push(c);
    return { client: c, events: new Recorder(c) };
  }

  test('replaced by a newer session on the same channel (4009): the old client does not come back', { timeout: 120_000 }, async () => {
    const channelId = unique('desk');
    const old = client(server, channelId);
    await within(old.client.connect(), 'the first connect');
    const newer = client(server, channelId);
    await within(newer.client.connect(), 'the newer connect');

    const closed = await old.events.next('closed');
    assert.deepEqual([closed.code, closed.willRetry], [4009, false]);
    assert.equal(old.client.state, 'stopped');
    assert.equal(old.events.count('reconnecting'), 0);
    assert.equal(newer.client.state, 'open');
    assert.equal(newer.events.count('closed'), 0);
  });

  test('a restart closes with 1001; the client comes back and reports the lost history as recovery_failed', { timeout: 120_000 }, async () => {
    const { client: c, events } = client(server);
    const topic = unique('news');
    const received = [];
    c.subscribe(topic, (m) => received.push(m));
    await within(c.connect(), 'connect');
    events.drain('subscribed');
    for (const n of [1, 2]) await publish(topic, n, { base: server.url });
    await events.waitFor(() => received.length === 2, 'two messages');
    const last = c.position(topic);

    const restarted = await server.restart();
    servers.push(restarted);
    const closed = await events.next('closed');
    assert.deepEqual([closed.code, closed.willRetry, closed.wasOpen], [1001, true, true]);

    const failure = await events.next('recovery_failed', 30_000);
    assert.equal(failure.topic, topic);
    assert.deepEqual([failure.lastEpoch, failure.lastOffset], [last.epoch, 2]);
    assert.notEqual(failure.epoch, last.epoch, 'a restarted server starts a new epoch');
    assert.equal(failure.epochChanged, true);
    const answer = await events.next('subscribed');
    assert.deepEqual([answer.recovered, answer.resumed], [false, true]);

    await publish(topic, 'after the restart', { base: restarted.url });
    await events.waitFor(() => received.length === 3, 'the first message of the new epoch');
    assert.deepEqual([received[2].data, received[2].offset, received[2].epoch], ['after the restart', 1, failure.epoch]);
  });
});
