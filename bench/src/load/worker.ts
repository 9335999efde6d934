/**
 * A load-generator process (forked by the bench with `node --import tsx`): it owns its sockets and its
 * event loop, so generating load does not delay the bench's own clock readings. It answers one request at
 * a time per op over the IPC channel; several requests may run concurrently.
 */
import { catchUp, load } from './catch-up.ts';
import { runIngest } from './ingest-runner.ts';
import type { Commands, Op, WorkerRequest, WorkerResponse } from './messages.ts';
import { publish, stopPublish } from './publisher.ts';
import { slowOpen, slowResume } from './slow-consumer.ts';
import { awaitHead, closeGroup, drop, report, subscribe } from './subscribers.ts';

type Handlers = {
  [O in Op]: (params: Commands[O]['params']) => Promise<Commands[O]['result']> | Commands[O]['result'];
};

const handlers: Handlers = {
  ingest: runIngest,
  subscribe,
  report,
  drop,
  awaitHead,
  close: closeGroup,
  publish,
  stopPublish,
  load,
  catchUp,
  slowOpen,
  slowResume,
};

function reply(response: WorkerResponse): void {
  process.send?.(response);
}

async function handle(request: WorkerRequest): Promise<void> {
  try {
    const handler = handlers[request.op] as (params: unknown) => unknown;
    reply({ id: request.id, ok: true, result: await handler(request.params) });
  } catch (err) {
    reply({
      id: request.id,
      ok: false,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
}

if (process.send === undefined) throw new Error('the load worker runs as a forked child process');
process.on('message', (message) => void handle(message as WorkerRequest));
// The bench going away (even by SIGKILL) closes the channel: leave with it instead of holding sockets open.
process.on('disconnect', () => process.exit(0));
