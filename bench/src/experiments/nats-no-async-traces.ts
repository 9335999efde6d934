/**
 * Experiment (`--experiment nats-no-async-traces`): loaded into each service with `--import` before its
 * own code, it makes every NATS connection use `noAsyncTraces: true` — the one-line change proposed for
 * libs/runtime/src/nats.ts — so its effect can be measured before anyone edits the services.
 *
 * nats.js otherwise builds an Error (with a captured stack) for every request up front, in case it fails;
 * the profiles show that as the top self time of the sequencer.
 */
import { createRequire } from 'node:module';

type Connect = (options?: Record<string, unknown>) => Promise<unknown>;

const require = createRequire(import.meta.url);
// `@nats-io/transport-node` re-exports `connect` through a getter that reads this module's export.
const transport = require('@nats-io/transport-node/lib/connect') as { connect: Connect };
const original = transport.connect;
transport.connect = (options = {}) => original({ ...options, noAsyncTraces: true });
