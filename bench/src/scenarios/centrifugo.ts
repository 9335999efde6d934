import { CENTRIFUGO_VERSION, centrifugoBinary } from '../centrifugo/binary.ts';
import { startCentrifugo } from '../centrifugo/server.ts';
import { idleSessions, type ConnectionsResult, type IdleTarget } from './connections.ts';
import type { ScenarioContext } from './context.ts';
import { fanoutLoads, fanoutRun, type FanoutResult, type FanoutTarget } from './fanout.ts';

export type CentrifugoResult =
  | {
      available: true;
      version: string;
      binary: string;
      buildSeconds: number | undefined;
      /** The target-load run. */
      fanout: FanoutResult;
      fanoutLight: FanoutResult | undefined;
      connections: ConnectionsResult;
    }
  | { available: false; version: string; reason: string };

/** The fan-out runs (light, target) against one Centrifugo node. */
async function centrifugoFanout(
  ctx: ScenarioContext,
  binaryPath: string,
): Promise<{ fanout: FanoutResult; fanoutLight: FanoutResult | undefined }> {
  const server = await startCentrifugo(binaryPath);
  try {
    const pid = server.process.pid ?? Number.NaN;
    const runs: FanoutResult[] = [];
    for (const load of fanoutLoads(ctx)) {
      const target: FanoutTarget = {
        system: 'centrifugo',
        protocol: 'centrifugo',
        endpoints: [{ url: server.wsUrl }],
        topic: server.channel(`fanout-${load.label}`),
        publishEndpoint: { url: server.httpUrl },
        apiKey: server.apiKey,
        centrifugoSecret: server.hmacSecret,
        serverPids: [pid],
        pids: { centrifugo: pid },
      };
      runs.push((await fanoutRun(ctx, target, load)).result);
    }
    return {
      fanout: runs[runs.length - 1] as FanoutResult,
      fanoutLight: runs.length > 1 ? runs[0] : undefined,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Idle sessions on a fresh process, as for our gateway: after the fan-out runs its heap is already grown and
 * new sessions would reuse that memory, hiding their cost.
 */
async function centrifugoIdle(ctx: ScenarioContext, binaryPath: string): Promise<ConnectionsResult> {
  const server = await startCentrifugo(binaryPath);
  try {
    const pid = server.process.pid ?? Number.NaN;
    const target: IdleTarget = {
      system: 'centrifugo',
      protocol: 'centrifugo',
      url: server.wsUrl,
      serverPid: pid,
      centrifugoSecret: server.hmacSecret,
      pids: { centrifugo: pid },
    };
    return await idleSessions(ctx, target, ctx.options.connections);
  } finally {
    await server.stop();
  }
}

/**
 * Comparison (b): the same fan-out (sessions, rate, payload) and the same idle-connection count against one
 * Centrifugo node (memory engine, JSON protocol over WebSocket, publications through its HTTP API).
 * Centrifugo's publish is fire-and-forget into memory; ours is sequenced and durable before anyone sees it.
 */
export async function runCentrifugo(ctx: ScenarioContext): Promise<CentrifugoResult> {
  const binary = await centrifugoBinary(ctx.options['centrifugo-build-timeout-s'], (line) => ctx.log(line));
  if (!binary.ok) {
    ctx.log(`centrifugo: not available: ${binary.reason}`);
    return { available: false, version: CENTRIFUGO_VERSION, reason: binary.reason };
  }
  const { fanout, fanoutLight } = await centrifugoFanout(ctx, binary.path);
  const connections = await centrifugoIdle(ctx, binary.path);
  return {
    available: true,
    version: CENTRIFUGO_VERSION,
    binary: binary.path,
    buildSeconds: binary.buildSeconds,
    fanout,
    fanoutLight,
    connections,
  };
}
