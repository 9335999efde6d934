const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

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
  const texts: string[] = [];
  let depth = 0;
  let itemStart = start + 1;
  for (let i = itemStart; i < frame.length; i++) {
    const c = frame.charCodeAt(i);
    if (c === QUOTE) i = closingQuote(frame, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) {
        if (i > itemStart || texts.length > 0) texts.push(frame.slice(itemStart, i));
        return i === frame.length - 2 && frame.charCodeAt(i + 1) === CLOSE_BRACE ? texts : undefined;
      }
      depth -= 1;
    } else if (c === COMMA && depth === 0) {
      texts.push(frame.slice(itemStart, i));
      itemStart = i + 1;
    } else if ((c === LOWER_E || c === UPPER_E) && isDigit(frame.charCodeAt(i - 1))) {
      // Outside strings, a digit then `e` is an exponent (`true` and `false` have their `e` after a letter).
      return undefined;
    }
  }
  return undefined;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/** Index of the quote that closes the string opened at `open` (one preceded by an even run of `\`). */
function closingQuote(json: string, open: number): number {
  let at = json.indexOf('"', open + 1);
  while (at !== -1) {
    let backslashes = 0;
    while (json.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
    at = json.indexOf('"', at + 1);
  }
  return json.length;
}
