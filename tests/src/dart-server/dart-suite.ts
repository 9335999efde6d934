import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { dartCases, type CaseContext, type Difference } from './dart-cases.ts';
import { DartHttp } from './dart-http.ts';
import { startTarget, type DartTarget, type GatewayEnv, type StackKind } from './targets.ts';

interface Run {
  name: string;
  env: GatewayEnv;
  /** Whether requests and `auth` frames carry a real token. */
  tokens: boolean;
  /** The deliberate differences in force, in the order they show first. */
  differences: Difference[];
}

/** What restores the Dart behaviour for each difference (docs/flutter.md). */
const restoredBy: Record<Difference, string> = {
  'strict-events': 'EVENT_VALIDATION=loose',
  'complete-log': 'REST_LIST_VIEW=dart',
  'protocol-heartbeat': 'HEARTBEAT=json',
};

/**
 * (a) default settings with a token on every request; (a′) the same with Dart-style loose events, so the
 * list-view difference shows on its own; (b) the compatibility mode, no tokens, exactly as the Dart tests.
 */
const dartRuns: Run[] = [
  {
    name: 'default settings, with tokens',
    env: {},
    tokens: true,
    differences: ['strict-events', 'complete-log', 'protocol-heartbeat'],
  },
  {
    name: 'EVENT_VALIDATION=loose, with tokens',
    env: { EVENT_VALIDATION: 'loose' },
    tokens: true,
    differences: ['complete-log', 'protocol-heartbeat'],
  },
  {
    name: 'compatibility mode, without tokens',
    // `*`: the Dart tests create repositories with generated names (T23).
    env: {
      ANONYMOUS_REPOSITORIES: '*',
      REST_LIST_VIEW: 'dart',
      EVENT_VALIDATION: 'loose',
      HEARTBEAT: 'json',
    },
    tokens: false,
    differences: [],
  },
];

/** The Dart server's test file, case by case, against one kind of stack, once per run. */
export function describeDartSuite(kind: StackKind): void {
  describe.each(dartRuns)(`Dart server tests on ${kind}: $name`, (run) => {
    let target: DartTarget;
    let ctx: CaseContext;
    beforeAll(async () => {
      target = await startTarget(kind, run.env, { natsUrl: inject('natsUrl'), mongoUrl: inject('mongoUrl') });
      const token = run.tokens ? await target.token() : undefined;
      ctx = { target, http: new DartHttp(target.baseUrl, token), wsToken: token };
    });
    afterAll(() => target?.stop());

    for (const dartCase of dartCases) {
      const difference = run.differences.find((d) => dartCase.differs?.[d] !== undefined);
      const variant = difference === undefined ? undefined : dartCase.differs?.[difference];
      const label =
        difference === undefined
          ? `${dartCase.id} ${dartCase.name}`
          : `${dartCase.id} ${dartCase.name} — differs by design (${difference}; ${restoredBy[difference]} restores)`;
      it(label, () => (variant ?? dartCase.run)(ctx));
    }
  });
}
