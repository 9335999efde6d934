import { AppError, clientMessageSchema, frameEnvelopeSchema, type ClientMessage } from '@lfsync/contracts';
import type WebSocket from 'ws';
import { eventIdsOf } from './event-ids.ts';
import { pushBatchMessage } from './push-batch-message.ts';
import { pushedEventTexts } from './pushed-event-texts.ts';

/** A valid message; for a batch push, each event's text too when it could be cut out of the frame. */
export interface ReceivedMessage {
  message: ClientMessage;
  eventTexts: string[] | undefined;
}

interface Refused {
  ok: false;
  error: AppError;
  eventIds: string[];
}

export type ParsedFrame = ({ ok: true } & ReceivedMessage) | Refused;

const refused = (error: AppError, eventIds: string[] = []): Refused => ({ ok: false, error, eventIds });

/** A received frame as a client message, or the most precise reason it is not one. */
export function parseClientFrame(
  data: WebSocket.RawData,
  isBinary: boolean,
  maxFrameBytes: number,
): ParsedFrame {
  if (isBinary)
    return refused(new AppError('INVALID_MESSAGE', 'binary frames are not supported; send JSON text'));
  const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
  if (size > maxFrameBytes)
    return refused(new AppError('PAYLOAD_TOO_LARGE', `frame larger than ${maxFrameBytes} bytes`));
  const text = textOf(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refused(new AppError('INVALID_MESSAGE', 'frame is not valid JSON'));
  }
  const parsed = parseClientMessage(json);
  if (!parsed.ok) return parsed;
  const eventTexts = parsed.message.type === 'push_events_batch' ? pushedEventTexts(text) : undefined;
  return { ok: true, message: parsed.message, eventTexts };
}

function textOf(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function parseClientMessage(json: unknown): { ok: true; message: ClientMessage } | Refused {
  const push = pushBatchMessage(json);
  if (push !== undefined) return { ok: true, message: push };
  const envelope = frameEnvelopeSchema.safeParse(json);
  if (!envelope.success)
    return refused(new AppError('INVALID_MESSAGE', 'frame must be a JSON object with a string "type"'));
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const { type } = envelope.data;
  const known = clientMessageSchema.options.some((o) => o.shape.type.value === type);
  if (!known) return refused(new AppError('UNKNOWN_TYPE', `unknown message type "${type.slice(0, 64)}"`));
  const repositoryIssue = parsed.error.issues.find((i) => i.path[0] === 'repository');
  if (repositoryIssue !== undefined)
    return refused(new AppError('INVALID_REPOSITORY', `invalid repository: ${repositoryIssue.message}`));
  const issue = parsed.error.issues[0];
  const message = `invalid ${type}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim();
  return refused(new AppError('INVALID_MESSAGE', message), eventIdsOf(json));
}
