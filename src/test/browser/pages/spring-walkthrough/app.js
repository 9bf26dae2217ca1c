// The page of a Spring STOMP seed app, moved to Switchboard: the same @stomp/stompjs Client over
// SockJS, the same /app/... and /topic/... destinations, and the JWT of the signed-in user in the
// CONNECT frame's Authorization header. Only the URL changed (Switchboard's /sockjs/stomp).
const switchboardUrl = document.querySelector('meta[name="switchboard-url"]').content;
// Optional, for trying fallbacks: ?transports=xhr-polling,jsonp-polling
const transports = new URLSearchParams(location.search).get('transports');
const sockJsOptions = transports ? { transports: transports.split(',') } : {};

let socket = null;

const stompClient = new StompJs.Client({
  webSocketFactory: () => {
    socket = new SockJS(`${switchboardUrl}sockjs/stomp`, null, sockJsOptions);
    return socket;
  },
  reconnectDelay: 5000,
});

stompClient.onConnect = (frame) => {
  setConnected(true);
  console.log(`Connected: ${frame.headers.server || 'STOMP'} via ${socket.transport}`);
  stompClient.subscribe('/topic/echo', (greeting) => showGreeting(greeting.body));
  stompClient.subscribe('/user/queue/notifications', (message) => showCall(JSON.parse(message.body)));
};

stompClient.onWebSocketError = (error) => {
  console.error('Error with websocket', error);
};

stompClient.onStompError = (frame) => {
  console.error(`Broker reported error: ${frame.headers.message}`);
  console.error(`Additional details: ${frame.body}`);
};

function setConnected(connected) {
  document.getElementById('connect').disabled = connected;
  document.getElementById('disconnect').disabled = !connected;
  document.getElementById('send').disabled = !connected;
  document.getElementById('conversation').hidden = !connected;
  document.getElementById('status').textContent = connected ? 'Connected' : 'Disconnected';
  document.getElementById('status').classList.toggle('on', connected);
  document.getElementById('transport').textContent = connected ? socket.transport : 'none';
  if (!connected) document.getElementById('greetings').replaceChildren();
}

async function connect() {
  // The application's backend issues the signed-in user's token (here: GET /token).
  const { token } = await (await fetch(`/token${location.search}`)).json();
  stompClient.connectHeaders = { Authorization: `Bearer ${token}` };
  stompClient.activate();
}

function disconnect() {
  stompClient.deactivate();
  setConnected(false);
  console.log('Disconnected');
}

function sendName() {
  stompClient.publish({ destination: '/app/echo', body: document.getElementById('name').value });
}

function showGreeting(message) {
  const row = document.createElement('tr');
  const cell = document.createElement('td');
  cell.textContent = message;
  row.append(cell);
  document.getElementById('greetings').append(row);
}

function showCall(call) {
  document.getElementById('caller-name').textContent = call.name;
  document.getElementById('caller-number').textContent = call.caller;
  document.getElementById('call-queue').textContent = call.queue;
  document.getElementById('call-since').textContent = new Date(call.since).toLocaleTimeString('en-GB');
  document.getElementById('call-popup').hidden = false;
}

function hideCall() {
  document.getElementById('call-popup').hidden = true;
}

document.getElementById('user').textContent = new URLSearchParams(location.search).get('user');
document.getElementById('connection').addEventListener('submit', (e) => { e.preventDefault(); connect(); });
document.getElementById('disconnect').addEventListener('click', disconnect);
document.getElementById('greeting').addEventListener('submit', (e) => { e.preventDefault(); sendName(); });
document.getElementById('answer').addEventListener('click', hideCall);
document.getElementById('dismiss').addEventListener('click', hideCall);
