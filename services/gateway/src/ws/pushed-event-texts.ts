import { jsonArrayItems } from '@lfsync/contracts';

const CLOSE_BRACE = 0x7d;

/** How `JSON.stringify` of a batch push begins, up to its events' array. */
const PUSH_BATCH_PREFIX = /^\{"type":"push_events_batch","repository":"[^"\\]*","events":(?=\[)/;

/**
 * Each event's text, cut out of a `push_events_batch` frame as the client wrote it, when the frame has
 * `JSON.stringify`'s shape (`{"type":…,"repository":…,"events":[…]}`) and no number in the events is
 * written with an exponent; undefined otherwise. `frame` must be valid JSON (already parsed): each text then
 * parses to the event it stands for. Without exponents, `JSON.stringify` of any part of an event is at most
 * as long as that part's text (it drops whitespace, unescapes, shortens numbers), so the text bounds the
 * size of the event's `_data`.
 */
export function pushedEventTexts(frame: string): string[] | undefined {
  const start = PUSH_BATCH_PREFIX.exec(frame)?.[0].length;
  if (start === undefined) return undefined;
  const split = jsonArrayItems(frame, start, { refuseExponents: true });
  if (split === undefined) return undefined;
  return split.end === frame.length - 2 && frame.charCodeAt(split.end + 1) === CLOSE_BRACE
    ? split.items
    : undefined;
}
