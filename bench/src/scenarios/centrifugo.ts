import { CENTRIFUGO_VERSION, centrifugoBinary } from '../centrifugo/binary.ts';
import { startCentrifugo } from '../centrifugo/server.ts';
import { idleSessions, type ConnectionsResult } from './connections.ts';
import type { ScenarioContext } from './context.ts';
import { fanoutLoads, fanoutRun, type FanoutResult } from './fanout.ts';

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
  const server = await startCentrifugo(binary.path);
  let fanout: FanoutResult;
  let fanoutLight: FanoutResult | undefined;
  try {
    const pid = server.process.pid ?? Number.NaN;
    const runs: FanoutResult[] = [];
    for (const load of fanoutLoads(ctx)) {
      const { result } = await fanoutRun(
        ctx,
        {
          system: 'centrifugo',
          protocol: 'centrifugo',
          endpoints: [{ url: server.wsUrl }],
          topic: server.channel(`fanout-${load.label}`),
          publishEndpoint: { url: server.httpUrl },
          apiKey: server.apiKey,
          centrifugoSecret: server.hmacSecret,
          serverPids: [pid],
          pids: { centrifugo: pid },
        },
        load,
      );
      runs.push(result);
    }
    fanout = runs[runs.length - 1] as FanoutResult;
    fanoutLight = runs.length > 1 ? runs[0] : undefined;
  } finally {
    await server.stop();
  }
  // A fresh process, as for our gateway: after the fan-out runs its heap is already grown and new sessions
  // would reuse that memory, hiding their cost.
  const idleServer = await startCentrifugo(binary.path);
  try {
    const pid = idleServer.process.pid ?? Number.NaN;
    const connections = await idleSessions(
      ctx,
      {
        system: 'centrifugo',
        protocol: 'centrifugo',
        url: idleServer.wsUrl,
        serverPid: pid,
        centrifugoSecret: idleServer.hmacSecret,
        pids: { centrifugo: pid },
      },
      ctx.options.connections,
    );
    return {
      available: true,
      version: CENTRIFUGO_VERSION,
      binary: binary.path,
      buildSeconds: binary.buildSeconds,
      fanout,
      fanoutLight,
      connections,
    };
  } finally {
    await idleServer.stop();
  }
}
