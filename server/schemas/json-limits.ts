// Bounds on the free-form JSON a caller may store (`context`, `metadata`). Configured on the server by
// HONE_MAX_JSON_BYTES and HONE_MAX_JSON_DEPTH (server/env.ts); this file stays import-free so the
// dashboard's forms can share the schemas that use it.

export interface JsonLimits {
  /** Serialized size in UTF-8 bytes. */
  maxBytes: number;
  /** Levels of objects and arrays, the object itself being level 1. */
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = { maxBytes: 16_384, maxDepth: 8 };
