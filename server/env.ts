import { z } from 'zod';
import { DEFAULT_MAX_INGEST_ITEMS, MAX_INGEST_ITEMS_CEILING } from './schemas/ingest-limits';
import { DEFAULT_JSON_LIMITS } from './schemas/json-limits';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const DURATION_UNITS_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** A duration written as a whole number and a unit (`90m`, `48h`, `7d`), parsed to milliseconds within [min, max]. */
const duration = ({ min, max }: { min: number; max: number }) => {
  const message = `must be a whole number and a unit from 1m to ${max / DAY_MS}d, e.g. 90m, 48h or 7d`;
  return z
    .string()
    .trim()
    .regex(/^\d+[mhd]$/, message)
    .transform((text) => Number(text.slice(0, -1)) * DURATION_UNITS_MS[text.slice(-1)]!)
    .refine((ms) => ms >= min && ms <= max, message);
};

/** Days rows are kept: a whole number from 0 (keep forever) to 36500. */
const retentionDays = (defaultDays: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number of days from 0 (keep forever) to 36500' })
      .int('must be a whole number of days from 0 (keep forever) to 36500')
      .min(0, 'must be from 0 (keep forever) to 36500')
      .max(36_500, 'must be from 0 (keep forever) to 36500')
      .default(defaultDays),
  );
/** A whole number within bounds, its message naming the range (the variable's name is added by parseEnv). */
function wholeNumber({ min, max, unit, fallback }: { min: number; max: number; unit?: string; fallback: number }) {
  const range = `from ${min} to ${max}`;
  const message = unit ? `must be a whole number of ${unit} ${range}` : `must be a whole number ${range}`;
  return z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: message }).int(message).min(min, message).max(max, message).default(fallback),
  );
}

const EnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgresql:// connection URL (leave unset for the embedded database)')
      .optional(),
  ),
  HONE_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('.hone/pgdata')),
  HONE_DB_POOL_MAX: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 1 to 500' })
      .int()
      .min(1, 'must be from 1 to 500')
      .max(500, 'must be from 1 to 500')
      .default(10),
  ),
  /**
   * Longest a request waits for a PostgreSQL connection, from the pool or newly opened (default 2000 ms). Past it the
   * request fails with 503: a database that is down or saturated is reported at once instead of holding requests.
   */
  HONE_DB_CONNECT_TIMEOUT_MS: wholeNumber({ min: 100, max: 600_000, unit: 'milliseconds', fallback: 2000 }),
  /**
   * Longest one SQL statement may run (default 5000 ms): PostgreSQL cancels it (statement_timeout), and a database that
   * no longer answers at all is given up on 1 s later. Migrations are not bounded by it.
   */
  HONE_DB_QUERY_TIMEOUT_MS: wholeNumber({ min: 100, max: 3_600_000, unit: 'milliseconds', fallback: 5000 }),
  /** Longest `GET /api/health` waits for the database before it reports it down (default 1000 ms). */
  HONE_HEALTH_TIMEOUT_MS: wholeNumber({ min: 50, max: 60_000, unit: 'milliseconds', fallback: 1000 }),
  HONE_DEFAULT_LAYER: z.preprocess(emptyAsUndefined, z.enum(['fast', 'balanced', 'deep']).default('balanced')),
  /** `required`: every API call and dashboard page needs an API key. Default: see authMode(). */
  HONE_AUTH: z.preprocess(emptyAsUndefined, z.enum(['required', 'off'], { error: 'must be "required" or "off"' }).optional()),
  /** Signs dashboard session cookies; without it a random per-process secret is used (sessions end on restart). */
  HONE_SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  /** Host names (optionally host:port) requests on every face may be addressed to (and pages be served from), besides loopback; comma-separated. */
  HONE_ALLOWED_HOSTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((host) => host.trim().toLowerCase())
          .filter(Boolean),
      ),
  ),
  /**
   * How long a server process trusts an API key (or a session's key) it has checked, in milliseconds (default 2000),
   * instead of reading api_keys on every request. A revoked key is refused by every server within this time; 0 checks
   * on every request.
   */
  HONE_AUTH_CACHE_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number of milliseconds from 0 to 60000' })
      .int('must be a whole number of milliseconds from 0 to 60000')
      .min(0, 'must be from 0 to 60000')
      .max(60_000, 'must be from 0 to 60000')
      .default(2000),
  ),
  /** Largest JSON `context`/`metadata` accepted, in bytes of its serialized UTF-8 form (default 16 KiB). */
  HONE_MAX_JSON_BYTES: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number of bytes from 2 to 1048576' })
      .int('must be a whole number of bytes from 2 to 1048576')
      .min(2, 'must be from 2 to 1048576')
      .max(1_048_576, 'must be from 2 to 1048576')
      .default(DEFAULT_JSON_LIMITS.maxBytes),
  ),
  /** Deepest JSON `context`/`metadata` accepted: the object itself is level 1 (default 8). */
  HONE_MAX_JSON_DEPTH: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 1 to 32' })
      .int('must be a whole number from 1 to 32')
      .min(1, 'must be from 1 to 32')
      .max(32, 'must be from 1 to 32')
      .default(DEFAULT_JSON_LIMITS.maxDepth),
  ),
  /**
   * Longest a routing decision may spend matching rules, in milliseconds (default 250). Matching runs in a worker
   * thread; past this it is stopped and the decision takes the default layer, saying that matching was cut off.
   */
  HONE_ROUTE_MATCH_TIMEOUT_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number of milliseconds from 1 to 60000' })
      .int('must be a whole number of milliseconds from 1 to 60000')
      .min(1, 'must be from 1 to 60000')
      .max(60_000, 'must be from 1 to 60000')
      .default(250),
  ),
  /** Most routing rules Hone keeps, active or not (default 1000): creating one more is refused. Bounds matching and listing. */
  HONE_MAX_ROUTING_RULES: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 1 to 100000' })
      .int('must be a whole number from 1 to 100000')
      .min(1, 'must be from 1 to 100000')
      .max(100_000, 'must be from 1 to 100000')
      .default(1000),
  ),
  /** Most items (model calls, metric values and bug reports together) one `ingest` call may carry (default 5000). */
  HONE_MAX_INGEST_ITEMS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a whole number from 1 to 100000' })
      .int('must be a whole number from 1 to 100000')
      .min(1, 'must be from 1 to 100000')
      .max(MAX_INGEST_ITEMS_CEILING, 'must be from 1 to 100000')
      .default(DEFAULT_MAX_INGEST_ITEMS),
  ),
  /**
   * How long an `ingest` item's eventId is remembered (default 7d): the same id again within it is a duplicate.
   * A number and a unit: `90m`, `48h`, `7d` (1 minute to 365 days). Parsed to milliseconds.
   */
  HONE_IDEMPOTENCY_WINDOW: z.preprocess(emptyAsUndefined, duration({ min: MINUTE_MS, max: 365 * DAY_MS }).default(7 * DAY_MS)),
  /** Days raw metric values are kept (default 90); 0 keeps them forever. Rollups and aggregates are kept regardless. */
  HONE_RETENTION_METRICS_DAYS: retentionDays(90),
  /** Days bug occurrences (the dated reports behind trends) are kept (default 400, the longest chart range); 0 keeps them forever. */
  HONE_RETENTION_BUG_OCCURRENCES_DAYS: retentionDays(400),
  /** Days routing decisions (what an outcome reported later is attributed through) are kept (default 7); 0 keeps them forever. */
  HONE_RETENTION_DECISIONS_DAYS: retentionDays(7),
  /** Days sampled decision inputs (what replay and rule checks run on) are kept (default 30); 0 keeps them forever. */
  HONE_RETENTION_DECISION_SAMPLES_DAYS: retentionDays(30),
  /** Days the history of adaptive policies' shares (the models page chart) is kept (default 90); 0 keeps it forever. */
  HONE_RETENTION_POLICY_SHARES_DAYS: retentionDays(90),
  /** Seconds between two recomputes of the adaptive policies' parameters from outcomes (default 60, 1 to 3600). */
  HONE_ADAPTIVE_RECOMPUTE_SECONDS: wholeNumber({ min: 1, max: 3600, unit: 'seconds', fallback: 60 }),
  /** Whether a sample of decision inputs is stored for replay and rule checks (default true); false stores no input text. */
  HONE_STORE_DECISION_INPUTS: z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('true')
      .transform((flag) => flag === 'true'),
  ),
  /** Most decision inputs sampled per hour (default 200): bounds what replay reads and what the table holds. */
  HONE_DECISION_SAMPLES_PER_HOUR: wholeNumber({ min: 0, max: 100_000, unit: 'inputs', fallback: 200 }),
  /**
   * Calls a second each API key may make (with authentication off: each client address), refilled continuously;
   * 0 turns the limit off (default 1000). Per server process. Fractions are allowed (0.5: one call every 2 s).
   */
  HONE_RATE_LIMIT_PER_SECOND: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a number of calls per second from 0 (off) to 1000000' })
      .min(0, 'must be from 0 (off) to 1000000')
      .max(1_000_000, 'must be from 0 (off) to 1000000')
      .default(1000),
  ),
  /** Calls a caller may make at once after being idle: the size of its token bucket (default 2000). */
  HONE_RATE_LIMIT_BURST: wholeNumber({ min: 1, max: 10_000_000, fallback: 2000 }),
  /**
   * Interface `npm start` listens on. Unset: loopback (127.0.0.1) while authentication is off, so an open server is
   * not reachable from the network; all interfaces when API keys are required. See listenHost().
   */
  HOST: z.preprocess(
    emptyAsUndefined,
    z.string().trim().min(1, 'must be an interface address or host name, e.g. 127.0.0.1 or 0.0.0.0').optional(),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).optional()),
  PORT: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: 'must be a port number from 1 to 65535' })
      .int()
      .min(1, 'must be a port number from 1 to 65535')
      .max(65535, 'must be a port number from 1 to 65535')
      .default(3000),
  ),
});

export type HoneEnv = z.infer<typeof EnvSchema>;

export type AuthMode = 'required' | 'off';

/**
 * HONE_AUTH wins when set. Otherwise a production server on a PostgreSQL server requires keys, and the embedded
 * database (a developer's laptop, the README's one command) stays open: it is local by construction.
 */
export function authMode(current: HoneEnv = env()): AuthMode {
  if (current.HONE_AUTH) return current.HONE_AUTH;
  return current.NODE_ENV === 'production' && current.DATABASE_URL ? 'required' : 'off';
}

/** Loopback: an open server (authentication off) is reachable from this machine only. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * The interface `npm start` binds and why, for its one line at start. An explicit HOST always wins; otherwise an
 * open server stays on loopback, and a server that requires keys keeps Next.js's default of every interface.
 */
export function listenHost(current: HoneEnv = env()): { host: string | undefined; reason: string } {
  if (current.HOST) return { host: current.HOST, reason: 'HOST is set' };
  if (authMode(current) === 'off') {
    return {
      host: LOOPBACK_HOST,
      reason: 'authentication is off, so only this machine may connect; set HOST (e.g. HOST=0.0.0.0) to listen elsewhere',
    };
  }
  return { host: undefined, reason: 'API keys are required; set HOST to listen on one interface only' };
}

export class InvalidEnvironmentError extends Error {
  override name = 'InvalidEnvironmentError';
}

/** Parses the process environment; a wrong value throws a message naming each offending variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): HoneEnv {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new InvalidEnvironmentError(`Invalid environment:\n${lines.join('\n')}`);
}

let cached: HoneEnv | undefined;
export function env(): HoneEnv {
  cached ??= parseEnv();
  return cached;
}

/** For command-line entry points: print the problem and stop, instead of a stack trace. */
export function envOrExit(): HoneEnv {
  try {
    return env();
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
