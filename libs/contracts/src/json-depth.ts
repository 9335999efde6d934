/**
 * True when `value` nests objects or arrays more than `maxDepth` levels deep (`{}` and `[]` are one level).
 * Iterative, so hostile input of any depth cannot overflow the stack; it stops at the first path too deep.
 * Only containers are stacked (scalars are skipped where they are found), with their depth in a parallel
 * stack: the gateway runs this on every pushed event, and an object per visited value was most of its cost.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  if (!isContainer(value)) return false;
  const containers: object[] = [value];
  const depths: number[] = [1];
  for (let next = containers.pop(); next !== undefined; next = containers.pop()) {
    const depth = depths.pop() ?? 0;
    if (depth > maxDepth) return true;
    if (Array.isArray(next)) {
      for (const child of next as unknown[]) {
        if (!isContainer(child)) continue;
        containers.push(child);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const key in next) {
      const child: unknown = (next as Record<string, unknown>)[key];
      if (!isContainer(child) || !Object.hasOwn(next, key)) continue;
      containers.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
