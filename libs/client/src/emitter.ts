/** Stops a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/**
 * A listener list. A throwing listener neither stops the others nor the code that emitted: its error goes to
 * `onListenerError`.
 */
export class Emitter<T> {
  readonly #listeners = new Set<(value: T) => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  get size(): number {
    return this.#listeners.size;
  }

  on(listener: (value: T) => void): Unsubscribe {
    // Wrapped so that subscribing the same function twice gives two independent subscriptions.
    const wrapped = (value: T): void => listener(value);
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  emit(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
  }
}

/** Reports an error outside the current call stack, where the host (browser console, Node) shows it. */
export function rethrowAsync(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
