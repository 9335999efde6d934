import { describe, expect, it } from 'vitest';
import { parallelLane, SerialLane } from './write-lane.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SerialLane', () => {
  it('runs one write at a time, the waiting urgent ones before the waiting background ones', async () => {
    const lane = new SerialLane();
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const first = deferred();
    const write = (name: string, hold?: Promise<void>) => async () => {
      running += 1;
      most = Math.max(most, running);
      order.push(name);
      await hold;
      running -= 1;
    };
    const writes = [
      lane.run('background', write('merge 1', first.promise)),
      lane.run('background', write('merge 2')),
      lane.run('urgent', write('group 1')),
      lane.run('urgent', write('group 2')),
    ];
    await Promise.resolve();
    first.resolve();
    await Promise.all(writes);
    expect(order).toEqual(['merge 1', 'group 1', 'group 2', 'merge 2']);
    expect(most).toBe(1);
  });

  it('hands the lane on after a failed write', async () => {
    const lane = new SerialLane();
    await expect(lane.run('urgent', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(lane.run('background', () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('runs the writes of one step in order, as one turn nothing else cuts into', async () => {
    const lane = new SerialLane();
    const order: string[] = [];
    const step = lane.all([
      async () => {
        order.push('batches');
        await new Promise((r) => setTimeout(r, 5));
        return 1;
      },
      () => {
        order.push('events');
        return Promise.resolve('e');
      },
    ]);
    const heads = lane.run('urgent', () => Promise.resolve(order.push('heads')));
    expect(await step).toEqual([1, 'e']);
    await heads;
    expect(order).toEqual(['batches', 'events', 'heads']);
  });
});

describe('SerialLane: idle writes', () => {
  it('wait until the lane has been free for idleMs, then follow each other', async () => {
    const lane = new SerialLane({ idleMs: 300 });
    const started: Array<[string, number]> = [];
    const t0 = performance.now();
    const write = (name: string) => () => Promise.resolve(started.push([name, performance.now() - t0]));
    // One idle write after the other, as the deleter sends them.
    const deleting = (async () => {
      for (let i = 1; i <= 3; i++) await lane.run('idle', write(`delete ${i}`));
    })();
    // Urgent writes 5 ms apart keep the lane from being free for 300 ms.
    for (let i = 0; i < 5; i++) {
      await lane.run('urgent', write(`group ${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await deleting;
    expect(started.map(([name]) => name)).toEqual([
      ...['group 0', 'group 1', 'group 2', 'group 3', 'group 4'],
      ...['delete 1', 'delete 2', 'delete 3'],
    ]);
    const at = new Map(started);
    expect((at.get('delete 1') as number) - (at.get('group 4') as number)).toBeGreaterThanOrEqual(250);
    expect((at.get('delete 3') as number) - (at.get('delete 1') as number)).toBeLessThan(100);
  });
});

describe('SerialLane: background writes', () => {
  it('go first after eight urgent turns in a row, so several groups in flight cannot starve them', async () => {
    const lane = new SerialLane();
    const order: string[] = [];
    const hold = deferred();
    const first = lane.run('urgent', () => hold.promise.then(() => order.push('group 0')));
    const merge = lane.run('background', () => Promise.resolve(order.push('merge')));
    const groups = Array.from({ length: 10 }, (_, i) =>
      lane.run('urgent', () => Promise.resolve(order.push(`group ${i + 1}`))),
    );
    hold.resolve();
    await Promise.all([first, merge, ...groups]);
    expect(order.indexOf('merge')).toBe(8);
  });
});

describe('SerialLane: an idle write whose priority rises', () => {
  it('takes its turn with the urgent writes instead of waiting for a quiet moment', async () => {
    const lane = new SerialLane({ idleMs: 60_000 });
    const order: string[] = [];
    let piledUp = false;
    const deleting = lane.run(
      () => (piledUp ? 'urgent' : 'idle'),
      () => Promise.resolve(order.push('delete')),
    );
    await lane.run('urgent', () => Promise.resolve(order.push('group 1')));
    piledUp = true;
    const group2 = lane.run('urgent', async () => {
      order.push('group 2');
      await new Promise((r) => setTimeout(r, 5));
    });
    const group3 = lane.run('urgent', () => Promise.resolve(order.push('group 3')));
    await Promise.all([deleting, group2, group3]);
    expect(order).toEqual(['group 1', 'group 2', 'group 3', 'delete']);
  });
});

describe('parallelLane', () => {
  it('starts the writes of one step together', async () => {
    const started: string[] = [];
    const gate = deferred();
    const step = parallelLane.all([
      async () => {
        started.push('a');
        await gate.promise;
      },
      async () => {
        started.push('b');
        await gate.promise;
      },
    ]);
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    gate.resolve();
    await step;
  });
});
