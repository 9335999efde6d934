/**
 * What a test container is, as plain data: built by pure functions (unit-tested without Docker) and turned
 * into a testcontainers `GenericContainer` only at the edge (`start-container.ts`).
 */
export interface ContainerDefinition {
  /** Container name prefix and the name the other containers reach it by on the shared network. */
  readonly alias: string;
  readonly image: string;
  /** Arguments to the image's entrypoint. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Ports published to the host (on random host ports). */
  readonly exposedPorts: readonly number[];
  /** Every condition must hold before the container counts as started. */
  readonly waitFor: readonly WaitDefinition[];
  readonly startupTimeoutMs: number;
}

export type WaitDefinition =
  /** A line of the container's output matches. */
  | { readonly kind: 'log'; readonly pattern: RegExp }
  /** An HTTP GET of `path` on the published `port` answers `status`. */
  | { readonly kind: 'http'; readonly path: string; readonly port: number; readonly status: number }
  /** `/bin/sh -c command` inside the container exits 0 (retried until it does). */
  | { readonly kind: 'command'; readonly command: string };
