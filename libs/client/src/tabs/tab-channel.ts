import { parseTabMessage, type TabMessage } from './tab-messages.ts';

/** Method syntax makes the parameter bivariant, so the browser's `MessageEvent` handler fits. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the browser's `BroadcastChannel` the client uses (Node ≥ 18 has one too). */
export interface BroadcastChannelLike {
  onmessage: Handler<{ readonly data: unknown }> | null;
  postMessage(message: unknown): void;
  close(): void;
}

export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

/**
 * The channel between the tabs of one storage. Opened before the storage is read, and messages are held until
 * `attach`: a change another tab stores while this one is loading is then either in what it loaded or in
 * what it holds, never lost in between.
 */
export class TabChannel {
  readonly #channel: BroadcastChannelLike;
  #held: TabMessage[] | undefined = [];
  #handler: ((message: TabMessage) => void) | undefined;

  constructor(channel: BroadcastChannelLike, onInvalid: (detail: string) => void) {
    this.#channel = channel;
    channel.onmessage = (event) => {
      const parsed = parseTabMessage(event.data);
      if ('error' in parsed) {
        onInvalid(`tab message: ${parsed.error}`);
        return;
      }
      if (this.#held === undefined) this.#handler?.(parsed.message);
      else this.#held.push(parsed.message);
    };
  }

  attach(handler: (message: TabMessage) => void): void {
    this.#handler = handler;
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const message of held) handler(message);
  }

  post(message: TabMessage): void {
    this.#channel.postMessage(message);
  }

  close(): void {
    this.#channel.onmessage = null;
    this.#channel.close();
  }
}
