import { parsePattern } from '@lfsync/contracts';

const NONE: ReadonlySet<never> = new Set();

/**
 * Who subscribed to what, looked up by repository: exact names in a map, `*` in a set, prefix patterns in
 * a map by prefix probed only at the prefix lengths in use. A lookup costs a few map reads whatever the
 * number of subscribers or repositories, and nothing is held for a repository nobody subscribed to.
 */
export class SubscriptionIndex<T> {
  readonly #exact = new Map<string, Set<T>>();
  readonly #prefixes = new Map<string, Set<T>>();
  /** Prefix length → how many prefixes of that length are subscribed. */
  readonly #prefixLengths = new Map<number, number>();
  readonly #all = new Set<T>();

  /** Returns true when `subscriber` is the pattern's first (the gateway now needs its commits). */
  add(pattern: string, subscriber: T): boolean {
    const parsed = parsePattern(pattern);
    switch (parsed.kind) {
      case 'all': {
        const first = this.#all.size === 0;
        this.#all.add(subscriber);
        return first;
      }
      case 'exact':
        return addTo(this.#exact, parsed.name, subscriber) === 'new key';
      case 'prefix':
        if (addTo(this.#prefixes, parsed.prefix, subscriber) === 'existing key') return false;
        this.#prefixLengths.set(
          parsed.prefix.length,
          (this.#prefixLengths.get(parsed.prefix.length) ?? 0) + 1,
        );
        return true;
    }
  }

  /** Returns true when the pattern's last subscriber left. */
  remove(pattern: string, subscriber: T): boolean {
    const parsed = parsePattern(pattern);
    switch (parsed.kind) {
      case 'all':
        return this.#all.delete(subscriber) && this.#all.size === 0;
      case 'exact':
        return removeFrom(this.#exact, parsed.name, subscriber) === 'key gone';
      case 'prefix': {
        if (removeFrom(this.#prefixes, parsed.prefix, subscriber) === 'key kept') return false;
        const length = parsed.prefix.length;
        const left = (this.#prefixLengths.get(length) ?? 1) - 1;
        if (left === 0) this.#prefixLengths.delete(length);
        else this.#prefixLengths.set(length, left);
        return true;
      }
    }
  }

  /** Whether anyone subscribed to a pattern naming `repository`. */
  has(repository: string): boolean {
    if (this.#all.size > 0 || this.#exact.has(repository)) return true;
    for (const length of this.#prefixLengths.keys())
      if (length <= repository.length && this.#prefixes.has(repository.slice(0, length))) return true;
    return false;
  }

  /** Everyone subscribed to a pattern naming `repository`, each once. */
  subscribers(repository: string): ReadonlySet<T> {
    let found: ReadonlySet<T> = this.#all.size > 0 ? this.#all : NONE;
    let merged: Set<T> | undefined;
    const take = (set: ReadonlySet<T> | undefined) => {
      if (set === undefined || set.size === 0) return;
      if (found.size === 0) found = set;
      else {
        merged ??= new Set(found);
        for (const subscriber of set) merged.add(subscriber);
        found = merged;
      }
    };
    take(this.#exact.get(repository));
    for (const length of this.#prefixLengths.keys())
      if (length <= repository.length) take(this.#prefixes.get(repository.slice(0, length)));
    return found;
  }

  /** The exact names subscribed to by the most subscribers (patterns aside), at most `limit`. */
  mostSubscribedNames(limit: number): string[] {
    return [...this.#exact]
      .sort((a, b) => b[1].size - a[1].size)
      .slice(0, limit)
      .map(([name]) => name);
  }

  /** Exact names and prefixes held: what the index costs in memory. */
  get keys(): number {
    return this.#exact.size + this.#prefixes.size;
  }
}

function addTo<T>(map: Map<string, Set<T>>, key: string, subscriber: T): 'new key' | 'existing key' {
  const set = map.get(key);
  if (set !== undefined) {
    set.add(subscriber);
    return 'existing key';
  }
  map.set(key, new Set([subscriber]));
  return 'new key';
}

function removeFrom<T>(map: Map<string, Set<T>>, key: string, subscriber: T): 'key gone' | 'key kept' {
  const set = map.get(key);
  if (set?.delete(subscriber) !== true || set.size > 0) return 'key kept';
  map.delete(key);
  return 'key gone';
}
