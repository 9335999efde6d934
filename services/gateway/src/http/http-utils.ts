import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, errorBody } from '@lfsync/contracts';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    })
    .end(text);
}

/** An error as its REST body; retryable codes also say when to come back in `Retry-After` (seconds). */
export function sendError(res: ServerResponse, error: AppError, extra: Record<string, unknown> = {}): void {
  const body = { ...errorBody(error), ...extra };
  const retryAfter =
    body.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.ceil(body.retryAfterMs / 1000)) };
  sendJson(res, body.statusCode, body, retryAfter);
}

/** Reads a JSON body of at most `maxBytes`; AppError PAYLOAD_TOO_LARGE / INVALID_MESSAGE otherwise. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `body larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new AppError('INVALID_MESSAGE', 'body is not valid JSON');
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

/**
 * The request's URL, its path checked to be decodable: a malformed request target or percent-encoding is
 * refused with a 400 before any route meets it.
 */
export function requestUrl(req: IncomingMessage): URL {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://gateway');
  } catch {
    throw new AppError('INVALID_MESSAGE', 'malformed request URL');
  }
  decodePathSegment(url.pathname);
  return url;
}

/** `decodeURIComponent` that refuses a malformed percent-encoding with a 400 instead of throwing URIError. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError('INVALID_MESSAGE', 'malformed percent-encoding in the URL');
  }
}
