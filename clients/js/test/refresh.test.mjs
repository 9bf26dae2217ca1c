// Token refresh in place (docs/protocol.md, Token lifecycle) against the shared server: its expiring notice
// comes 60 s before exp (the default), so a token minted with exp 25 s ago (still accepted for the
// rest of the server's 30 s clock skew) is expiring at once and runs out 5 s after the handshake.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient } from '../src/switchboard.js';
import { BASE, Recorder, WebSocket, eventually, mintToken, unique, within } from './support.mjs';

const clients = [];
after(() => { for (const c of clients) c.close(); });

const PAST_EXP_SECONDS = 25;
const LEFT_MS = (30 - PAST_EXP_SECONDS) * 1000;

function client(token, options = {}) {
  const c = new SwitchboardClient({ url: BASE, token, channelId: unique('refresh'), WebSocket, ...options });
  clients.push(c);
  return { client: c, events: new Recorder(c) };
}

describe('token refresh', () => {
  test('an async token function refreshes the expiring token in place and the session outlives it', async () => {
    const user = unique('renewer');
    let asked = 0;
    const { client: c, events } = client(async () => {
      asked++;
      return mintToken({ sub: user, expiresInSeconds: asked === 1 ? -PAST_EXP_SECONDS : 3600 });
    });
    const firstEnd = Date.now() + LEFT_MS + 1000;
    await within(c.connect(), 'connect');
    const expiring = await events.next('expiring');
    assert.ok(expiring.exp <= Math.floor(Date.now() / 1000), `exp ${expiring.exp} is past`);
    const refreshed = await events.next('refreshed');
    assert.ok(refreshed.exp > Math.floor(Date.now() / 1000) + 3000, `refreshed exp ${refreshed.exp} is an hour ahead`);
    assert.equal(asked, 2);

    await eventually(() => Date.now() > firstEnd, 'the first token running out', LEFT_MS + 5000, 100);
    assert.ok((await within(c.ping(), 'pong after the first token ran out')) >= 0);
    assert.equal(c.state, 'open');
    assert.equal(events.count('closed'), 0, events.describe());
  });

  test('a sync token function works too; the refresh frame shown by the frame event hides the token', async () => {
    const user = unique('renewer');
    let asked = 0;
    const { client: c, events } = client(() => {
      asked++;
      return mintToken({ sub: user, expiresInSeconds: asked === 1 ? -PAST_EXP_SECONDS : 3600 });
    });
    const shown = [];
    c.on('frame', ({ direction, frame }) => { if (direction === 'out' && frame?.type === 'refresh') shown.push(frame); });
    await within(c.connect(), 'connect');
    await events.next('refreshed');
    assert.deepEqual(shown, [{ type: 'refresh', token: '(hidden)' }]);
  });

  test('a fixed token is not refreshed: the session closes with 1008 token expired and the client stops', async () => {
    const { client: c, events } = client(mintToken({ sub: unique('fixed'), expiresInSeconds: -PAST_EXP_SECONDS }));
    await within(c.connect(), 'connect');
    await events.next('expiring');
    const closed = await events.next('closed', LEFT_MS + 10_000);
    assert.deepEqual([closed.code, closed.reason, closed.willRetry], [1008, 'token expired', false]);
    assert.equal(events.count('refreshed'), 0);
  });
});
