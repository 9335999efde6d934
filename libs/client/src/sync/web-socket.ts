/** Method syntax makes the parameter bivariant, so sockets with richer event types (browser, `ws`, undici) fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * The part of the WHATWG WebSocket the client uses. The browser's `WebSocket`, Node 22's global one and the
 * `ws` package's `WebSocket` all satisfy it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const WEB_SOCKET_OPEN = 1;

/** The injected constructor, else the global `WebSocket` (browsers, Node ≥ 22). */
export function resolveWebSocket(injected: WebSocketConstructor | undefined): WebSocketConstructor {
  if (injected !== undefined) return injected;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global === undefined) {
    throw new TypeError(
      "no global WebSocket here (Node < 22): pass one as `webSocket`, e.g. the `ws` package's WebSocket",
    );
  }
  return global;
}
