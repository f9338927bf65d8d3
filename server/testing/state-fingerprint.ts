// What a database holds, reduced to something two moments can be compared by: "a refused call wrote nothing" is
// "the fingerprint before equals the fingerprint after".
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { AnyTool } from '../tools/define';
import { registeredTools } from '../tools/registry';

/** Per table (or per read), its row count and a hash of its content. */
export type Fingerprint = Record<string, { rows: number; hash: string }>;

export interface StateObserver {
  /** How it looks, for the test's report. */
  readonly method: string;
  fingerprint(): Promise<Fingerprint>;
}

/**
 * Exact, through a connection of the test's own: every table of the schema (Prisma's migration log excepted), its
 * row count and an MD5 of all its rows as text in a stable order. Sees any write, updates of counters included.
 */
/**
 * `settle` runs first: a server counts routing decisions in memory and writes them within a second, so the caller
 * makes it write them now (any routing read does) and the fingerprint does not change later under a refused call.
 */
export function databaseObserver(prisma: PrismaClient, settle: () => Promise<unknown> = async () => {}): StateObserver {
  return {
    method: 'every table: row count and an MD5 of its rows, through the test’s own connection',
    async fingerprint() {
      await settle();
      const tables = await prisma.$queryRawUnsafe<{ name: string }[]>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY 1",
      );
      const query = tables
        .map(
          ({ name }) =>
            `SELECT ${quoteLiteral(name)} AS name, count(*)::int AS rows, ` +
            `md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS hash FROM ${quoteIdentifier(name)} t`,
        )
        .join(' UNION ALL ');
      const rows = await prisma.$queryRawUnsafe<{ name: string; rows: number; hash: string }[]>(query);
      return Object.fromEntries(rows.map(({ name, rows: count, hash }) => [name, { rows: count, hash }]));
    },
  };
}

const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
const quoteIdentifier = (text: string) => `"${text.replaceAll('"', '""')}"`;

const DAY_MS = 86_400_000;

/**
 * The input that makes a read tool show the most of the database: every row it pages through, inactive rules too,
 * models with a single call, no report text, a range from yesterday to the day after tomorrow. Undefined for a read
 * tool that needs an input naming one thing (an id, a metric name): what it shows, a listing shows too.
 */
function widestInput(tool: AnyTool, now: number): Record<string, unknown> | undefined {
  const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as {
    required?: string[];
    properties?: Record<string, unknown>;
  };
  if (schema.required?.length) return undefined;
  const fields = new Set(Object.keys(schema.properties ?? {}));
  const input: Record<string, unknown> = {};
  if (fields.has('from') && fields.has('to')) {
    // Rollups are kept per hour of the call, which is now: three days around today see them all, cheaply. Rows
    // dated by the caller (metric values) are counted by a listing without a range.
    const from = Math.floor(now / DAY_MS) * DAY_MS - DAY_MS;
    Object.assign(input, { from: new Date(from).toISOString(), to: new Date(from + 3 * DAY_MS).toISOString() });
  }
  if (fields.has('limit')) input.limit = 1000;
  if (fields.has('activeOnly')) input.activeOnly = false;
  if (fields.has('minCalls')) input.minCalls = 1;
  if (fields.has('includeReport')) input.includeReport = false;
  return input;
}

interface Page {
  items: unknown[];
  nextCursor?: number | null;
}

/** One batched tRPC GET: the data of each procedure, in order. */
async function trpcGet(serverUrl: string, procedures: string[], inputs: unknown[]): Promise<unknown[]> {
  const url = new URL(`/api/trpc/${procedures.join(',')}`, serverUrl);
  url.searchParams.set('batch', '1');
  url.searchParams.set('input', JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input]))));
  const response = await fetch(url);
  const answers = (await response.json()) as { result?: { data: unknown } }[];
  if (!response.ok) throw new Error(`reading the state failed (${response.status}): ${JSON.stringify(answers).slice(0, 500)}`);
  return answers.map((answer) => answer.result!.data);
}

function hashOf(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

function rowsOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') {
    const list = Object.values(value).find(Array.isArray);
    return list ? list.length : 1;
  }
  return 1;
}

/**
 * Through the server, for an embedded database only the server process may open: every read tool of the registry
 * that needs no particular id or name, each with its widest input (all pages, inactive rules, three days
 * around today), in one batched tRPC request, hashed whole. Tables no tool writes (API keys) are not seen;
 * tables a tool writes are (the hostile-input test checks that each writing tool's example changes this).
 */
export function readToolsObserver(serverUrl: string, now = Date.now()): StateObserver {
  const reads = registeredTools
    .filter(({ tool }) => tool.readOnly)
    .flatMap(({ tool, procedurePath }) => {
      const input = widestInput(tool, now);
      return input ? [{ name: tool.name, procedurePath, input }] : [];
    });
  return {
    method: `every read tool needing no id (${reads.map((read) => read.name).join(', ')}), widest input, through one batched tRPC request`,
    async fingerprint() {
      const answers = await trpcGet(
        serverUrl,
        reads.map((read) => read.procedurePath),
        reads.map((read) => read.input),
      );
      const fingerprint: Fingerprint = {};
      for (const [i, read] of reads.entries()) {
        let data = answers[i];
        // A paginated listing: the following pages too, so that no row escapes the hash.
        for (let page = data as Page; page && typeof page === 'object' && page.nextCursor != null;) {
          [page] = (await trpcGet(serverUrl, [read.procedurePath], [{ ...read.input, cursor: page.nextCursor }])) as [Page];
          data = { ...(data as Page), items: [...(data as Page).items, ...page.items], nextCursor: null };
        }
        fingerprint[read.name] = { rows: rowsOf(data), hash: hashOf(data) };
      }
      return fingerprint;
    },
  };
}
