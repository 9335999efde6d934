import { isPlainRecord, isRepositoryName, type PushEventsBatchMessage } from '@lfsync/contracts';

/**
 * The frame itself when it is a `push_events_batch` that `pushEventsBatchMessageSchema` accepts as it is;
 * undefined when this cheap check is not sure (the caller then asks zod, which also words the error). The
 * schema would return a copy of the frame and of its events' array, and zod's union is a cost per push.
 */
export function pushBatchMessage(json: unknown): PushEventsBatchMessage | undefined {
  if (!isPlainRecord(json) || json['type'] !== 'push_events_batch') return undefined;
  if (!isRepositoryName(json['repository']) || !Array.isArray(json['events'])) return undefined;
  return json as PushEventsBatchMessage;
}
