'use strict';
// The Socket.IO peer of the benchmark suite (bench/README.md): what many teams pick instead of a
// JSR 356 server. Socket.IO v4 on Node 20, WebSocket transport only, one room per topic:
//
//   CONNECT   40{"token":"<JWT>"}          HS256 JWT checked in a middleware (as the Tyrus and
//                                          Spring peers check theirs); refused with 44{...}
//   subscribe 42["subscribe","<topic>"]    joins the room, answers 42["subscribed","<topic>"]
//   publish   42["publish","<topic>",data] io.to(topic).emit("message", data): one encoding per
//                                          broadcast, written to every socket of the room
//
// Usage: node server.js <port> <jwt-secret>; prints "READY <port>" once listening.
// The harness pins it to the peers' core with taskset, as every peer.

const crypto = require('node:crypto');
const http = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.argv[2]);
const secret = process.argv[3];
if (!port || !secret) {
  console.error('usage: node server.js <port> <jwt-secret>');
  process.exit(1);
}

/** The token's subject if it is an unexpired HS256 JWT signed with the secret, else null. */
function subject(token) {
  if (typeof token !== 'string') {
    return null;
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  const expected = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    return null;
  }
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (header.alg !== 'HS256' || (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now())) {
      return null;
    }
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch (e) {
    return null; // not JSON: not a token of ours
  }
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
  // The load generator speaks WebSocket from the first request, as the other peers' clients do.
  transports: ['websocket'],
  // Off by default in v4; said here because compression would change what is measured.
  perMessageDeflate: false,
  serveClient: false,
});

io.use((socket, next) => {
  const user = subject(socket.handshake.auth && socket.handshake.auth.token);
  if (user === null) {
    next(new Error('invalid token'));
    return;
  }
  socket.data.user = user;
  next();
});

io.on('connection', (socket) => {
  socket.on('subscribe', (topic) => {
    socket.join(String(topic));
    socket.emit('subscribed', String(topic));
  });
  socket.on('publish', (topic, data) => {
    io.to(String(topic)).emit('message', data);
  });
});

httpServer.listen(port, () => {
  console.log('READY ' + port);
});

process.on('SIGTERM', () => {
  io.close(() => process.exit(0));
});
