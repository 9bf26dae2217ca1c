// Types of switchboard.js: the Switchboard JavaScript client (native protocol, docs/protocol.md).

/** How a connection is carried. */
export type Transport = 'websocket' | 'xhr-streaming' | 'xhr-polling';

/**
 * Where a client is in its life:
 * - `idle`: built, connect() not called yet;
 * - `connecting`: an attempt (or the first frames of a connection) is under way;
 * - `open`: a session is open (its `welcome` arrived);
 * - `reconnecting`: the connection was lost or refused; the next attempt waits for its backoff delay;
 * - `stopped`: gave up (a refusal or close that retrying cannot fix); connect() may start again;
 * - `closed`: close() was called; final.
 */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'closed';

/** A WebSocket constructor as browsers, Node 22+ and the `ws` package provide it. */
export interface WebSocketConstructor {
  new (url: string): WebSocketLike;
}

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface BackoffOptions {
  /** First delay, ms. Default 200. */
  initialMs?: number;
  /** Longest delay, ms. Default 10000. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  multiplier?: number;
  /** Largest share of a delay taken off at random, in [0, 1]. Default 0.5 (a delay lies in [base/2, base]). */
  jitter?: number;
}

export interface SwitchboardOptions {
  /**
   * The server's address with its context root: `https://host/`, `http://host:8080/switchboard/`
   * (ws/wss work too; relative URLs resolve against the page). Optional when this module was
   * loaded from the server's own `/js/switchboard.js`: then that server.
   */
  url?: string | URL;
  /**
   * The JWT, or a function that returns one (or a promise of one). A function is asked at every
   * attempt; after a 401 or a close with 1008 the client comes back only if it yields a different
   * token. It is asked too when the server says the session's token is expiring: a different
   * token is sent as a `refresh` and the session lives on (events `expiring`, `refreshed`). A
   * fixed token that is refused or expires stops the client.
   */
  token: string | (() => string | Promise<string>);
  /** The channel, `[A-Za-z0-9._:-]{1,128}`. */
  channelId: string;
  /** `auto` (default): an `ack: true` message is acknowledged once every handler returned (and every promise a handler returned resolved). `manual`: call `message.ack()`. */
  ack?: 'auto' | 'manual';
  /** Transports in the order they are tried. Default `['websocket', 'xhr-streaming', 'xhr-polling']`. */
  transports?: Transport[];
  /** The WebSocket constructor. Default `globalThis.WebSocket`; without one, WebSocket is skipped (Node 20: pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  /** The fetch function for SockJS and the handshake probe. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Reconnection delays. */
  backoff?: BackoffOptions;
  /** Random numbers in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** How long one transport may take to open, ms. Default 10000. */
  connectTimeoutMs?: number;
  /**
   * Asked after a close or failed attempt that the client would retry: return false to stop
   * instead (e.g. a console that shows a refusal to its user rather than retrying).
   */
  shouldReconnect?: (info: ClosedEvent) => boolean;
}

export interface ConnectingEvent {
  transport: Transport;
  /** Attempts since the last established connection (or connect()), this one included. */
  attempt: number;
}

/** The server's `welcome`, plus the transport. */
export interface OpenEvent {
  sessionId: string;
  channelId: string;
  user: string;
  heartbeatMs: number;
  transport: Transport;
}

export interface SubscribedEvent {
  topic: string;
  /** The topic's last offset at the moment of subscribing (after the replay, when resumed). */
  offset: number;
  epoch: string;
  /** Whether everything missed since the position asked for was replayed. */
  recovered: boolean;
  /** Whether the subscribe asked to resume (`since`). */
  resumed: boolean;
}

/**
 * A resume the server could not serve: messages of `topic` after `lastEpoch`/`lastOffset` (the
 * last one delivered) up to `epoch`/`offset` (where the stream continues) are lost to this client.
 * When the epoch changed (a restart, a forgotten topic), how many were missed is unknown.
 */
export interface RecoveryFailedEvent {
  topic: string;
  lastEpoch: string | undefined;
  lastOffset: number | undefined;
  epoch: string | undefined;
  offset: number | undefined;
  epochChanged: boolean;
}

/** A connection closed, or an attempt failed (`wasOpen` false). */
export interface ClosedEvent {
  /** The close code (docs/protocol.md, Close codes); 1006 for a lost connection and for a failed attempt. */
  code: number;
  reason: string;
  /** Whether a connection had opened (false: the attempt failed). */
  wasOpen: boolean;
  /** Whether the client reconnects by itself. */
  willRetry: boolean;
  transport: Transport | null;
  /** For a failed attempt: the HTTP status of the refusal (0 when the server did not answer). */
  status?: number;
  /** For a refusal: the server's `error` code (`unauthorized`, `forbidden`, `conflict`, `rate_limited`, ...). */
  error?: string;
  /** For a refusal: the server's message. */
  message?: string;
}

export interface ReconnectingEvent {
  delayMs: number;
  attempt: number;
}

/** Every frame in and out, for logs and consoles. */
export interface FrameEvent {
  direction: 'in' | 'out';
  /** The parsed frame, unless `invalid`. */
  frame?: Record<string, unknown>;
  /** The text of a frame that is not a JSON object. */
  text?: string;
  invalid?: boolean;
}

/** A `message` frame. Exactly one of topic, user, channel is set, or broadcast is true. */
export interface Message<T = unknown> {
  readonly id: string;
  readonly topic?: string;
  readonly user?: string;
  readonly channel?: string;
  readonly broadcast: boolean;
  /** A user message's destination, when it was pushed with one. */
  readonly destination?: string;
  /** Topic messages: the position in the topic. */
  readonly offset?: number;
  readonly epoch?: string;
  readonly data: T;
  /** Epoch milliseconds when the server accepted it. */
  readonly ts: number;
  /** The message carried `ack: true`: the server redelivers it until it is acknowledged. */
  readonly ackRequired: boolean;
  /** This client handed this message (its id) to the application before. */
  readonly redelivered: boolean;
  /** Whether ack() was called (or the client acked it in auto mode). */
  readonly acked: boolean;
  /** Acknowledges an `ack: true` message; does nothing for others or when called twice. */
  ack(): void;
}

export type ErrorCode =
  | 'bad_request' | 'forbidden' | 'not_found' | 'too_large' | 'rate_limited' | 'recovery_failed' | 'internal'
  | 'not_connected' | 'closed' | 'listener' | 'unreadable_frame' | 'refused' | 'disconnected' | 'token'
  | (string & {});

/**
 * What the `error` event carries and failed calls throw. Server `error` frames have `server: true`
 * and `ref`; a rejected connect() has `status` (code `refused`) or `closeCode` (code `disconnected`).
 */
export class SwitchboardError extends Error {
  readonly name: 'SwitchboardError';
  readonly code: ErrorCode;
  readonly server?: boolean;
  readonly ref?: { type?: string; topic?: string; [key: string]: unknown };
  readonly status?: number;
  readonly error?: string;
  readonly closeCode?: number;
  readonly text?: string;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>);
}

/** `expiring`: the session's token expires at `exp`; `refreshed`: a refresh was accepted, the session now lasts until `exp`. Seconds since the epoch. */
export interface TokenEvent {
  exp: number;
}

export interface SwitchboardEvents {
  connecting: ConnectingEvent;
  open: OpenEvent;
  subscribed: SubscribedEvent;
  recovery_failed: RecoveryFailedEvent;
  message: Message;
  closed: ClosedEvent;
  reconnecting: ReconnectingEvent;
  expiring: TokenEvent;
  refreshed: TokenEvent;
  error: SwitchboardError;
  frame: FrameEvent;
}

export class SwitchboardClient {
  constructor(options: SwitchboardOptions);

  readonly state: ClientState;
  /** The transport of the current connection, or null. */
  readonly transport: Transport | null;
  /** The current session's welcome, or null. */
  readonly session: { sessionId: string; channelId: string; user: string; heartbeatMs: number } | null;
  readonly channelId: string;
  /** The subscribed topics, in subscription order. */
  readonly topics: string[];

  /** Adds an event handler; returns a function that removes it. Handlers are called in order, one at a time. */
  on<E extends keyof SwitchboardEvents>(event: E, handler: (payload: SwitchboardEvents[E]) => unknown): () => void;
  off<E extends keyof SwitchboardEvents>(event: E, handler: (payload: SwitchboardEvents[E]) => unknown): void;

  /**
   * Starts connecting, and reconnecting until close() or a refusal that retrying cannot fix.
   * Resolves once a session is open and every subscription is answered; rejects with a
   * SwitchboardError if the client gives up first. While active, returns the same promise.
   */
  connect(): Promise<void>;

  /**
   * Subscribes to a topic, now if connected and after every reconnect (resuming with `since`).
   * `handler` gets this topic's messages (the `message` event gets them too). `options.since` is
   * where a new subscription starts (a position kept elsewhere, e.g. across a page reload), as if
   * it had been delivered here. Returns a function that ends this subscription; the topic is
   * unsubscribed when all of its subscriptions ended.
   */
  subscribe<T = unknown>(
    topic: string,
    handler?: ((message: Message<T>) => unknown) | null,
    options?: { since?: { offset: number; epoch: string } },
  ): () => void;
  /** Ends every subscription of the topic and forgets its position. False if it was not subscribed. */
  unsubscribe(topic: string): boolean;
  /** The last position delivered for a topic (what a reconnect resumes from). */
  position(topic: string): { offset: number; epoch: string } | undefined;

  /** Publishes to a topic (role `publisher` or an open-publish rule). Throws `not_connected` when no session is open. */
  publish(topic: string, data: unknown): void;
  /** Sends data to the server's handler for a destination (e.g. `echo`). Throws `not_connected` when no session is open. */
  send(to: string, data: unknown): void;
  /** Sends a `ping`; resolves with the round trip in ms. */
  ping(): Promise<number>;
  /** Closes the session with 1000 and stops for good. */
  close(reason?: string): void;
}

export default SwitchboardClient;
