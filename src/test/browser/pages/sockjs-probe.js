// Page side of sockjs.test.mjs: opens connections with the real sockjs-client (global SockJS,
// loaded from the server's webjar) and @stomp/stompjs (global StompJs), and records what the
// page receives, for the test to wait on and compare. Nothing here interprets the protocol
// beyond what an application's page does: JSON.parse of native frames, STOMP message bodies.
window.probe = {
  /** A native session on /sockjs/channel with the one transport `transport` allowed. */
  openChannel(url, transport) {
    const state = {
      transport: null, opened: false, closes: [], frames: [], unparsable: [],
      /** topic -> messages received on it, in arrival order. */
      byTopic: {},
    };
    const sock = new SockJS(url, null, { transports: [transport] });
    sock.onopen = () => {
      state.opened = true;
      state.transport = sock.transport;
    };
    sock.onmessage = (e) => {
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        state.unparsable.push(String(e.data).slice(0, 200));
        return;
      }
      if (frame.type === 'message' && frame.topic !== undefined) {
        (state.byTopic[frame.topic] ||= []).push(frame);
      } else {
        state.frames.push(frame);
      }
    };
    sock.onclose = (e) => state.closes.push({ code: e.code, reason: e.reason });
    state.send = (frame) => sock.send(JSON.stringify(frame));
    state.close = () => sock.close();
    return state;
  },

  /** A STOMP session on /sockjs/stomp through SockJS with the one transport `transport` allowed. */
  openStomp(url, transport, token) {
    const state = {
      transport: null, connected: false, receipts: [], messages: [], stompErrors: [], closes: [],
    };
    let sock;
    const client = new StompJs.Client({
      webSocketFactory: () => {
        sock = new SockJS(url, null, { transports: [transport] });
        return sock;
      },
      connectHeaders: { Authorization: `Bearer ${token}` },
      reconnectDelay: 0,
      onConnect: () => {
        state.connected = true;
        state.transport = sock.transport;
      },
      onStompError: (frame) => state.stompErrors.push(`${frame.headers.message}: ${frame.body}`),
      onWebSocketClose: (e) => state.closes.push({ code: e.code, reason: e.reason }),
    });
    let receipt = 0;
    /** Subscribes; the server's RECEIPT is recorded in `receipts` once the subscription is in place. */
    state.subscribe = (destination) => {
      const id = `sub-${++receipt}`;
      client.watchForReceipt(id, () => state.receipts.push(id));
      client.subscribe(destination, (m) => state.messages.push({
        destination: m.headers.destination, contentType: m.headers['content-type'], body: m.body,
      }), { receipt: id });
      return id;
    };
    state.publish = (destination, body) => client.publish({ destination, body });
    state.close = () => client.deactivate();
    client.activate();
    return state;
  },
};
