/**
 * Wall-clock time for a performance.now() reading. Date.now() is a runtime call in V8 (no inline fast
 * path) that showed up in the app's request path; the offset between the two clocks is read again
 * once a second, so an adjusted system clock is followed within a second.
 */
let offset = Date.now() - performance.now();
let readAt = performance.now();

export function wallClockAt(perfNow: number): number {
  if (perfNow - readAt > 1000) {
    readAt = performance.now();
    offset = Date.now() - readAt;
  }
  return perfNow + offset;
}
