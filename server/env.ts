import { z } from 'zod';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

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
    z.coerce.number({ error: 'must be a whole number from 1 to 500' }).int().min(1, 'must be from 1 to 500').max(500, 'must be from 1 to 500').default(10),
  ),
  HONE_DEFAULT_LAYER: z.preprocess(emptyAsUndefined, z.enum(['fast', 'balanced', 'deep']).default('balanced')),
  /** `required`: every API call and dashboard page needs an API key. Default: see authMode(). */
  HONE_AUTH: z.preprocess(emptyAsUndefined, z.enum(['required', 'off'], { error: 'must be "required" or "off"' }).optional()),
  /** Signs dashboard session cookies; without it a random per-process secret is used (sessions end on restart). */
  HONE_SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  /** Host names (optionally host:port) MCP requests may be addressed to, besides localhost; comma-separated. */
  HONE_ALLOWED_HOSTS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .transform((list) => list.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean)),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).optional()),
  PORT: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: 'must be a port number from 1 to 65535' }).int().min(1, 'must be a port number from 1 to 65535').max(65535, 'must be a port number from 1 to 65535').default(3000),
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
