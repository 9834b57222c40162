// The redactor lives as long as the pipeline, so its caches must neither grow without limit nor keep
// bodies alive: a key sliced out of a body can share the body's memory, so cached keys are copies.

/** Longer keys are not cached: a cache entry then costs at most a few hundred bytes. */
const MAX_CACHED_KEY = 128;

/** A standalone copy of a short key for use as a cache key; undefined for keys too long to cache. */
export function cacheKey(key: string): string | undefined {
  if (key.length > MAX_CACHED_KEY) return undefined;
  // Concatenation then slicing yields a string backed by the small concatenation, not by the body.
  return `${key}\0`.slice(0, -1);
}
