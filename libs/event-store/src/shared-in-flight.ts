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

/**
 * `run`, with the calls for a key that arrive while it runs for that key sharing the next run, which starts
 * when the current one ends: every caller gets an answer from a run that started after it called — for
 * reads that must see everything written before they were asked (a head) — and any number of callers
 * arriving together cost two runs.
 */
export function sharedNextRun<K, T>(run: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const runs = new Map<K, { current: Promise<T>; next?: Promise<T> }>();
  const start = (key: K): Promise<T> => {
    const state: { current: Promise<T>; next?: Promise<T> } = { current: run(key) };
    runs.set(key, state);
    const settled = () => {
      if (runs.get(key) === state && state.next === undefined) runs.delete(key);
    };
    state.current.then(settled, settled);
    return state.current;
  };
  return (key) => {
    const state = runs.get(key);
    if (state === undefined) return start(key);
    const again = () => start(key);
    state.next ??= state.current.then(again, again);
    return state.next;
  };
}
