/**
 * A UUIDv7 generator (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made by one generator
 * are strictly increasing, even within one millisecond or when the clock steps back (the 12-bit `rand_a`
 * field counts up, borrowing the next millisecond on overflow), so they also sort in creation order.
 */
export function createUuidV7Generator(
  now: () => number = Date.now,
  fillRandom: (bytes: Uint8Array) => void = (bytes) => crypto.getRandomValues(bytes),
): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    const random = new Uint8Array(10);
    fillRandom(random);
    let ms = now();
    if (ms > lastMs) {
      // Start low in the 12-bit space so that many ids in one millisecond fit before a borrow.
      counter = ((random[0] ?? 0) << 3) | ((random[1] ?? 0) & 0x07);
    } else {
      ms = lastMs;
      counter += 1;
      if (counter > 0xfff) {
        ms += 1;
        counter = 0;
      }
    }
    lastMs = ms;
    const bytes = new Uint8Array(16);
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes.set(random.subarray(2), 8);
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
