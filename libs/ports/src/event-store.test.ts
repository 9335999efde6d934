import { describe, expect, it } from 'vitest';
import { displacedEventId } from './event-store.ts';

describe('displacedEventId', () => {
  it('suffixes the event id with the sequence whose slot it fills', () => {
    expect(displacedEventId('e1', 7)).toBe('e1#7');
    expect(displacedEventId('e1', 8)).not.toBe(displacedEventId('e1', 7));
  });
});
