import { describe, expect, it } from 'vitest';
import { IndexWriteMarks } from './index-write-marks.ts';

describe('IndexWriteMarks', () => {
  it('keeps the newest write per repository, whatever order the acks came in', () => {
    const marks = new IndexWriteMarks();
    marks.record('a', { subject: 's2', revision: 20 });
    marks.record('a', { subject: 's1', revision: 10 });
    marks.record('b', { subject: 's3', revision: 5 });
    expect(marks.get('a')).toEqual({ subject: 's2', revision: 20 });
    expect(marks.get('b')).toEqual({ subject: 's3', revision: 5 });
    expect(marks.get('c')).toBeUndefined();
  });

  it('forgets the least recently written repository past its bound', () => {
    const marks = new IndexWriteMarks();
    for (let i = 0; i < 50_001; i++) marks.record(`r${i}`, { subject: 's', revision: i + 1 });
    expect(marks.get('r0')).toBeUndefined();
    expect(marks.get('r1')).toBeDefined();
    expect(marks.get('r50000')).toBeDefined();
  });
});
