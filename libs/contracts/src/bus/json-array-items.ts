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

export interface JsonArrayItems {
  /** Each item's text, as it stands in `json`. */
  readonly items: string[];
  /** Index of the array's closing `]`. */
  readonly end: number;
}

/**
 * The items of the array that starts at `json[start]` (its `[`), cut out of the text rather than
 * re-serialised. `json` must be valid JSON (already parsed): only strings, nesting and commas are looked
 * at, and strings are skipped with `indexOf`. Whitespace around items stays in their text. With
 * `refuseExponents`, undefined when a number in the array is written with an exponent.
 */
export function jsonArrayItems(
  json: string,
  start: number,
  options: { refuseExponents?: boolean } = {},
): JsonArrayItems | undefined {
  const refuseExponents = options.refuseExponents ?? false;
  if (json.charCodeAt(start) !== OPEN_BRACKET) return undefined;
  const items: string[] = [];
  let depth = 0;
  let itemStart = start + 1;
  for (let i = itemStart; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) i = closingQuote(json, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) {
        if (i > itemStart || items.length > 0) items.push(json.slice(itemStart, i));
        return { items, end: i };
      }
      depth -= 1;
    } else if (c === COMMA && depth === 0) {
      items.push(json.slice(itemStart, i));
      itemStart = i + 1;
    } else if (refuseExponents && (c === LOWER_E || c === UPPER_E) && isDigit(json.charCodeAt(i - 1))) {
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
