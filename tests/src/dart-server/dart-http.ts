/** A REST reply as the Dart tests read it: status, headers and the decoded JSON body. */
export interface DartReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * The HTTP calls of the Dart tests (`package:http`): POSTs send `Content-Type: application/json`, nothing
 * else. With a token (the default-settings runs) every request also carries `Authorization: Bearer`.
 */
export class DartHttp {
  readonly #baseUrl: string;
  readonly #token: string | undefined;

  constructor(baseUrl: string, token: string | undefined) {
    this.#baseUrl = baseUrl;
    this.#token = token;
  }

  get(path: string): Promise<DartReply> {
    return this.request('GET', path);
  }

  post(
    path: string,
    body?: unknown,
    headers: Record<string, string> = { 'Content-Type': 'application/json' },
  ) {
    return this.request('POST', path, body === undefined ? undefined : JSON.stringify(body), headers);
  }

  async request(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<DartReply> {
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers: {
        ...headers,
        ...(this.#token === undefined ? {} : { Authorization: `Bearer ${this.#token}` }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseObject(text) };
  }
}

function parseObject(text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { text };
  }
}

export type DartEvent = Record<string, unknown>;

export function eventsOf(reply: DartReply): DartEvent[] {
  const events = reply.body['events'];
  return Array.isArray(events) ? (events as DartEvent[]) : [];
}

export function eventOf(reply: DartReply): DartEvent {
  const event = reply.body['event'];
  return typeof event === 'object' && event !== null ? (event as DartEvent) : {};
}

export function dataOf(event: DartEvent): Record<string, unknown> {
  const data = event['data'];
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}
