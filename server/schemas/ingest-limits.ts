// The ingest tool's batch size limit, configured on the server by HONE_MAX_INGEST_ITEMS (server/env.ts). Import-free,
// like json-limits.ts, so the environment and the schemas share it.

/** Most items one `ingest` call may carry, by default. */
export const DEFAULT_MAX_INGEST_ITEMS = 5000;

/** The largest HONE_MAX_INGEST_ITEMS may be set to: each list's own bound, so the schema states one (the total is checked against the setting). */
export const MAX_INGEST_ITEMS_CEILING = 100_000;
