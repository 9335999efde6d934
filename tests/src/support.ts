import type { SyncClaim } from '@lfsync/contracts';
import type { EventDocument } from '@lfsync/event-store';
import { storedEventDocuments, WsTestClient } from '@lfsync/testkit';
import type { Db } from 'mongodb';
import type { TestStack } from './stack.ts';

let counter = 0;

/** An event the way the Dart client builds one. */
export function dartEvent(id: string, data: Record<string, unknown> = {}, operation: 0 | 1 | 2 = 0) {
  counter += 1;
  return {
    _event_id: id,
    _operation: operation,
    _created_at: new Date(Date.now() + counter).toISOString().replace('Z', '123Z'),
    ...(operation === 2 ? { _data_id: id } : { _data: { id, ...data }, _data_id: id }),
  };
}

export async function authedClient(
  stack: TestStack,
  gateway: number,
  subject: string,
  claim?: Partial<SyncClaim>,
): Promise<WsTestClient> {
  const client = await WsTestClient.connect(stack.gatewayUrl(gateway));
  const reply = await client.auth(await stack.token(subject, claim));
  if (reply.type !== 'auth_success') throw new Error(`auth failed: ${JSON.stringify(reply)}`);
  return client;
}

/** The events' documents the store holds for a repository, in sequence order, once all are written. */
export function storedEvents(db: Db, repository: string): Promise<EventDocument[]> {
  return storedEventDocuments<EventDocument>(db, repository);
}
