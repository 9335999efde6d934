/**
 * Run inside the delay line's namespace by nagle-over-delay-line.ts: sessions that follow one repository
 * through the delayed link, optionally each pushing into a repository of its own now and then (a client
 * that also writes: Linux then delays its TCP acknowledgements, as interactive peers get). Prints `ready`
 * once all are live, then after the window one JSON line of the live events' latencies.
 */
import { Histogram } from '../stats/histogram.ts';
import { LfsSession } from '../load/lfs-session.ts';
import { nowUs } from '../load/messages.ts';
import { oneEventPush } from '../load/util.ts';
import { signToken } from '../stack/tokens.ts';

export interface SubscribersParams {
  urls: string[];
  sessions: number;
  topic: string;
  warmupMs: number;
  windowMs: number;
  /** Each session pushes one event into a repository of its own this often; 0: never. */
  ownPushEveryMs: number;
}

const params = JSON.parse(process.argv[2] ?? '{}') as SubscribersParams;
const latency = new Histogram();
let measuring = false;

async function follow(i: number): Promise<LfsSession> {
  const own = `${params.topic}-own-${i}`;
  const token = await signToken(`s${i}`, { read: [params.topic, own], write: [own] });
  let synced = () => {};
  const live = new Promise<void>((resolve) => (synced = resolve));
  const session = await LfsSession.connect({ url: params.urls[i % params.urls.length] as string }, token, {
    onEvents: (_repository, events) => {
      if (!measuring) return;
      const now = nowUs();
      for (const e of events) if (e._data?.t !== undefined) latency.record(now - e._data.t);
    },
    onSyncComplete: () => synced(),
  });
  session.requestEvents(params.topic, 0);
  await live;
  if (params.ownPushEveryMs > 0) {
    let pushed = 0;
    const push = () => session.send(oneEventPush(own, `o${i}-${pushed++}`, {}));
    setTimeout(() => setInterval(push, params.ownPushEveryMs), Math.random() * params.ownPushEveryMs);
  }
  return session;
}

const sessions: LfsSession[] = [];
for (let i = 0; i < params.sessions; i++) sessions.push(await follow(i));
process.stdout.write('ready\n');
await new Promise((resolve) => setTimeout(resolve, params.warmupMs));
measuring = true;
await new Promise((resolve) => setTimeout(resolve, params.windowMs));
measuring = false;
process.stdout.write(`${JSON.stringify(latency.summary())}\n`);
for (const session of sessions) session.terminate();
process.exit(0);
