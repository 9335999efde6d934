/**
 * `lookup`, with the calls for a key that is being looked up sharing that answer instead of asking again.
 * Nothing is kept once it settles: only for reads whose answer a caller arriving later could have had as
 * well — documents that never change once written.
 */
export function sharedInFlight<K, T>(lookup: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const inFlight = new Map<K, Promise<T>>();
  return (key) => {
    const running = inFlight.get(key);
    if (running !== undefined) return running;
    const answer = lookup(key);
    inFlight.set(key, answer);
    const settled = () => {
      if (inFlight.get(key) === answer) inFlight.delete(key);
    };
    answer.then(settled, settled);
    return answer;
  };
}
