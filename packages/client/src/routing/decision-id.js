/**
 * Decision ids: UUIDv7 (RFC 9562), the millisecond time first, then a 12-bit counter that orders the ids one process
 * makes within a millisecond (method 1 of section 6.2), then 62 random bits. Adaptive policies rank a model's outcomes
 * newest first by (outcome time, decision time, decision id); decision times have millisecond resolution, and a gateway
 * decides many times a millisecond, so the id is what keeps those decisions in the order they were made.
 */

let lastMs = -1;
let counter = 0;

/** A new decision id, greater than every id this process made before. */
export function newDecisionId() {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else if (counter < 0xfff) {
    ms = lastMs;
    counter++;
  } else {
    // 4,096 ids in one millisecond: borrow the next millisecond, as the RFC allows, rather than lose the order.
    ms = ++lastMs;
    counter = 0;
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
