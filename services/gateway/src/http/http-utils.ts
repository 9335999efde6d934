import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, errorCodes, type ErrorCode } from '@lfsync/contracts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(text);
}

/** REST errors as PROTOCOL.md gives them (`error`, `statusCode`) plus our stable `code`. */
export function sendError(res: ServerResponse, code: ErrorCode, message: string): void {
  const statusCode = errorCodes[code].httpStatus;
  sendJson(res, statusCode, { error: message, statusCode, code });
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
