/** Coalesces the many notifications of one catch-up page into one render of the parts that changed. */
export interface CoalescedRender<P> {
  /** Marks `part` as changed; renders once, in a microtask, whatever changed until then. */
  schedule(part: P): void;
  /** Renders what changed now. */
  flush(): void;
}

export function coalescedRender<P>(render: (parts: ReadonlySet<P>) => void): CoalescedRender<P> {
  let scheduled = false;
  const dirty = new Set<P>();
  const flush = (): void => {
    scheduled = false;
    const parts = new Set(dirty);
    dirty.clear();
    render(parts);
  };
  return {
    schedule(part) {
      dirty.add(part);
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(flush);
    },
    flush,
  };
}
