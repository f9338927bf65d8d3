// The ingest tool's batch size limit, configured on the server by HONE_MAX_INGEST_ITEMS (server/env.ts). Import-free,
// like json-limits.ts, so the environment and the schemas share it.

/** Most items one `ingest` call may carry, by default. */
export const DEFAULT_MAX_INGEST_ITEMS = 5000;
