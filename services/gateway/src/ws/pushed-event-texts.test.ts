import { describe, expect, it } from 'vitest';
import { pushedEventTexts } from './pushed-event-texts.ts';

const frameOf = (eventsText: string) =>
  `{"type":"push_events_batch","repository":"notes","events":${eventsText}}`;

describe('pushedEventTexts', () => {
  it('cuts each event out of the frame as the client wrote it', () => {
    const events = [
      { _event_id: 'a', _data: { text: 'x,]}"\\', list: [1, { on: true, off: false }], none: null } },
      { _event_id: 'b', _data: { n: -0.5, s: '1e3 and 2E9 in a string' } },
    ];
    const frame = JSON.stringify({ type: 'push_events_batch', repository: 'notes', events });
    const texts = pushedEventTexts(frame);
    expect(texts).toEqual(events.map((e) => JSON.stringify(e)));
  });

  it('keeps whitespace inside the events, each text still parsing to its event', () => {
    const texts = pushedEventTexts(frameOf('[ {"_event_id": "a"} ,\n{"_event_id":"b" } ]'));
    expect(texts?.map((t) => JSON.parse(t) as unknown)).toEqual([{ _event_id: 'a' }, { _event_id: 'b' }]);
  });

  it('cuts nothing out of an empty batch', () => {
    expect(pushedEventTexts(frameOf('[]'))).toEqual([]);
  });

  it('declines a number with an exponent, whose JSON.stringify may be longer than its text', () => {
    expect(pushedEventTexts(frameOf('[{"_data":{"n":1e300}}]'))).toBeUndefined();
    expect(pushedEventTexts(frameOf('[{"_data":{"n":[2E-3]}}]'))).toBeUndefined();
    expect(JSON.stringify(JSON.parse('{"n":1e300}')).length).toBeGreaterThan('{"n":1e300}'.length);
  });

  it.each([
    ['another key order', '{"repository":"notes","type":"push_events_batch","events":[{}]}'],
    ['whitespace in the envelope', '{ "type":"push_events_batch","repository":"notes","events":[{}]}'],
    ['a key after the events', '{"type":"push_events_batch","repository":"notes","events":[{}],"x":1}'],
    ['trailing whitespace', `${frameOf('[{}]')} `],
    ['another type', '{"type":"push_event","repository":"notes","events":[{}]}'],
    ['events not an array', '{"type":"push_events_batch","repository":"notes","events":{}}'],
  ])('declines a frame in any other shape: %s', (_name, frame) => {
    expect(pushedEventTexts(frame)).toBeUndefined();
  });
});
