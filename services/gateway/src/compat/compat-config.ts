import { isRepositoryName } from '@lfsync/contracts';
import { envBoolean, envList } from '@lfsync/runtime';
import { z } from 'zod';

/** `*` (every repository) or one repository name; the same patterns a token's `sync` claim holds. */
const repositoryPatterns = envList.pipe(
  z.array(
    z.string().refine((p) => p === '*' || isRepositoryName(p), {
      message: 'expected a repository name or *',
    }),
  ),
);

/**
 * The settings of the Dart/Flutter compatibility mode, to be spread into the gateway's config schema
 * (`...compatConfigShape`) and checked with `refineCompatConfig`.
 */
export const compatConfigShape = {
  /**
   * Repositories anyone may read and write without a token, over REST and WebSocket, for unchanged
   * Flutter apps (they send no Authorization header). Empty = off.
   */
  ANONYMOUS_REPOSITORIES: repositoryPatterns.default([]),
  /** `log`: the complete log after `seq`, ascending. `dart`: the Dart server's view (see dart-list-view.ts). */
  REST_LIST_VIEW: z.enum(['log', 'dart']).default('log'),
  /** Under `REST_LIST_VIEW=dart`: repositories answered newest first, without latest-per-`_data_id`. */
  REST_NEWEST_FIRST_REPOSITORIES: repositoryPatterns.default(['counter_log']),
  /**
   * `strict`: events must be what the Dart client library sends (`_operation`, `_created_at`, `_data`).
   * `loose`: any JSON object with a string `_event_id`, as the Dart server accepts; what is missing is
   * filled in (see loose-event.ts).
   */
  EVENT_VALIDATION: z.enum(['strict', 'loose']).default('strict'),
  /** Set in production deployments: refuses settings that open repositories to anyone. */
  PRODUCTION: envBoolean.default(false),
};

export const compatConfigSchema = z.object(compatConfigShape).superRefine(refineCompatConfig);
export type CompatConfig = z.infer<typeof compatConfigSchema>;

/** The production refusal, for the gateway schema's own `superRefine`. */
export function refineCompatConfig(
  config: Pick<CompatConfig, 'ANONYMOUS_REPOSITORIES' | 'PRODUCTION'>,
  ctx: z.RefinementCtx,
): void {
  if (config.PRODUCTION && config.ANONYMOUS_REPOSITORIES.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['ANONYMOUS_REPOSITORIES'],
      message:
        'ANONYMOUS_REPOSITORIES opens repositories to anyone without a token; it is refused when PRODUCTION=true',
    });
  }
}

export interface CompatWarning {
  /** Constant text for the log line; the data goes beside it. */
  message: string;
  data: Record<string, unknown>;
}

/** What `main.ts` logs at `warn` when the gateway starts; empty when the compatibility mode is off. */
export function compatStartupWarnings(config: CompatConfig): CompatWarning[] {
  const warnings: CompatWarning[] = [];
  if (config.ANONYMOUS_REPOSITORIES.length > 0) {
    warnings.push({
      message:
        'compatibility mode: these repositories can be read and written by anyone, without a token (ANONYMOUS_REPOSITORIES)',
      data: { repositories: config.ANONYMOUS_REPOSITORIES },
    });
  }
  if (config.EVENT_VALIDATION === 'loose') {
    warnings.push({
      message:
        'compatibility mode: events without _operation, _created_at or _data are completed as inserts (EVENT_VALIDATION=loose)',
      data: {},
    });
  }
  return warnings;
}

export function matchesRepository(patterns: readonly string[], repository: string): boolean {
  return patterns.some((p) => p === '*' || p === repository);
}
