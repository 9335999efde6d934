import { serverMessageSchema, type ServerMessage } from '@lfsync/contracts';
import type { RawData } from 'ws';

/** What the server sent when it was not a `ServerMessage` of the contracts: not JSON, binary or off-schema. */
export interface UnparsedFrame {
  readonly type: 'unparsed';
  readonly raw: string;
  readonly problem: string;
}

export type ReceivedFrame = ServerMessage | UnparsedFrame;

export type ServerMessageType = ServerMessage['type'];

/** The member of the `ServerMessage` union whose `type` is `T`. */
export type MessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

export function parseReceivedFrame(data: RawData, isBinary: boolean): ReceivedFrame {
  const raw = rawText(data);
  if (isBinary) return { type: 'unparsed', raw, problem: 'binary frame' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { type: 'unparsed', raw, problem: 'not JSON' };
  }
  const parsed = serverMessageSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problem = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(frame)'}: ${issue.message}`)
    .join('; ');
  return { type: 'unparsed', raw, problem };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString();
  return data.toString();
}
