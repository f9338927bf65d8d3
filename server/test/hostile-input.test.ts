// Every tool of the registry, on every face of a real `next start` (REST POST, REST GET for read tools, MCP
// tools/call, tRPC), fed inputs fast-check derives from the tool's schema and example (server/testing/hostile-input.ts).
// The property: never a 5xx; a refusal names the field at fault; a refused call (and any read) leaves the database
// as it was. Runs FUZZ_RUNS random cases per tool and face (default 10) with FUZZ_SEED (default fixed), plus the
// fixed cases (U+0000, lone surrogates, 1,000 levels of nesting, 1e400, an unknown field) on every tool and face.
//
// "Nothing was written" is judged by a fingerprint of the database taken before and after (state-fingerprint.ts). On
// PostgreSQL it is exact: every table's row count and content hash, through the test's own connection. An embedded
// database belongs to the server process, so on PGlite the fingerprint is what every read tool shows (widest input,
// all pages); the first test shows that this sees whatever a writing tool writes, and on PostgreSQL that whenever a
// table changed, the read tools showed it. Reads are checked once around their whole run (a read writes nothing,
// accepted or not), writes around each refused case.
//
//   FUZZ_RUNS=100 FUZZ_SEED=7 npx vitest run --project postgres server/test/hostile-input.test.ts
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { FieldIssue } from '../errors';
import { MAX_BODY_BYTES } from '../http/read-body';
import { printableKey } from '../schemas/storable-values';
import {
  FIELDS_JUDGED_TOGETHER,
  fixedHostileCases,
  hostileInputs,
  percentEncode,
  percentEncodeBytes,
  toolShape,
  type HostileCase,
} from '../testing/hostile-input';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { databaseObserver, readToolsObserver, type Fingerprint, type StateObserver } from '../testing/state-fingerprint';
import { exampleInput } from '../testing/tool-examples';
import type { AnyTool, Tool } from '../tools/define';
import { registeredTools } from '../tools/registry';
import { testDatabaseKind } from './database';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

let db: ServerDatabase;
let server: HoneServer;
/** How "nothing was written" is seen: exactly through the test's own connection on PostgreSQL, through the read tools on PGlite. */
let observer: StateObserver;
let readTools: StateObserver;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  // Retention off: its background deletion of old rows (a metric dated 1970 is valid input) would look like a write.
  server = await startHoneServer({
    env: { ...db.env, HONE_AUTH: 'off', HONE_RETENTION_METRICS_DAYS: '0', HONE_RETENTION_BUG_OCCURRENCES_DAYS: '0' },
  });
  readTools = readToolsObserver(server.url);
  // The embedded database belongs to the server process: only its tools can look inside while it runs.
  // Routing reads first write the decisions the server has counted in memory: the fingerprint is then the settled state.
  const settle = () => fetch(`${server.url}/tools/get_routing_hit_rates`).then((response) => response.arrayBuffer());
  observer = testDatabaseKind === 'postgres' ? databaseObserver(await db.withPrisma(async (prisma) => prisma), settle) : readTools;
  console.log(
    `hostile-input (${testDatabaseKind}): seed ${SEED}, ${RUNS} random cases per tool and face; state seen by ${observer.method}`,
  );
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

type Face = 'REST POST' | 'REST GET' | 'MCP' | 'tRPC';

interface Answer {
  status: number;
  /** The call did not happen: an HTTP 4xx, a JSON-RPC error, or an MCP isError result. */
  refused: boolean;
  /** What the refusal said: Hone's code, message and field issues, as each face carries them. */
  code?: string;
  message?: string;
  issues?: FieldIssue[];
  /** Refused before any input was read (body or URL over the limits): no field can be named. */
  transport?: boolean;
  /** An accepted call's result. */
  data?: any;
  text: string;
}

const concat = (...parts: (string | Uint8Array)[]) =>
  new Uint8Array(Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)))));

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Node's limit on a request's head (the URL included): past it the server answers 431 and closes the connection. */
const MAX_HEAD_BYTES = 16 * 1024;

async function send(face: Face, tool: AnyTool, procedurePath: string, hostile: HostileCase): Promise<Answer> {
  const json = { 'content-type': 'application/json' };
  let url: string;
  let init: RequestInit = {};
  if (face === 'REST POST') [url, init] = [`${server.url}/tools/${tool.name}`, { method: 'POST', headers: json, body: hostile.body }];
  else if (face === 'REST GET') url = `${server.url}/tools/${tool.name}?${hostile.query()}`;
  else if (face === 'tRPC' && tool.readOnly)
    url = `${server.url}/api/trpc/${procedurePath}?input=${percentEncodeBytes(hostile.body.subarray(0, 2 * MAX_HEAD_BYTES))}`;
  else if (face === 'tRPC')
    [url, init] = [`${server.url}/api/trpc/${procedurePath}`, { method: 'POST', headers: json, body: hostile.body }];
  else {
    // Raw JSON-RPC, so that arguments no client library would write (1e400, invalid UTF-8) arrive as written.
    const body = concat(
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${JSON.stringify(tool.name)},"arguments":`,
      hostile.body,
      '}}',
    );
    url = `${server.url}/api/mcp`;
    init = {
      method: 'POST',
      headers: { ...json, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body,
    };
  }
  const oversized = url.length > MAX_HEAD_BYTES || (init.body instanceof Uint8Array && init.body.byteLength > MAX_BODY_BYTES);
  // Megabytes of URL are refused by Node at 16 KiB whatever follows: not worth sending whole.
  if (url.length > 4 * MAX_HEAD_BYTES) url = url.slice(0, 4 * MAX_HEAD_BYTES);
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    // A server refusing an oversized request may close the connection while the request is still being written.
    if (!oversized) throw error;
    return { status: 0, refused: true, transport: true, text: `connection closed: ${String((error as Error).cause ?? error)}` };
  }
  const text = await response.text();
  const status = response.status;
  const answer = parse(text);
  if (face === 'MCP' && status < 400) {
    if (answer?.error) return { status, refused: true, code: `JSON-RPC ${answer.error.code}`, message: answer.error.message, text };
    const result = answer?.result;
    if (result?.isError) {
      const error = result.structuredContent?.error;
      return { status, refused: true, code: error?.code, message: result.content?.[0]?.text, issues: error?.issues, text };
    }
    return { status, refused: false, data: result?.structuredContent, text };
  }
  if (status < 400) return { status, refused: false, data: face === 'tRPC' ? answer?.result?.data : answer, text };
  // REST: {error: {code, message, issues}}; tRPC: {error: {message, data: {code, issues}}}; MCP: a JSON-RPC error with Hone's in data.
  const error = face === 'REST POST' || face === 'REST GET' ? answer?.error : { ...answer?.error?.data, message: answer?.error?.message };
  return { status, refused: true, code: error?.code, message: error?.message, issues: error?.issues ?? undefined, text };
}

/** Refusals made before any input is read (body or URL too large, too many calls): they name no field, and cannot. */
const TRANSPORT_REFUSALS = new Set([413, 414, 429, 431]);
/** JSON-RPC's internal error: MCP's 5xx. */
const JSON_RPC_INTERNAL_ERROR = 'JSON-RPC -32603';

function related(fields: string[]): Set<string> {
  const names = new Set(fields);
  for (const group of FIELDS_JUDGED_TOGETHER) if (group.some((field) => names.has(field))) group.forEach((field) => names.add(field));
  return names;
}

/** A field name as the server receives it: through a URL, a lone surrogate arrives as U+FFFD (one per byte). */
function asReceived(face: Face, field: string): string {
  if (face !== 'REST GET') return printableKey(field);
  return printableKey(new URLSearchParams(`${percentEncode(field)}=`).keys().next().value ?? field);
}

function judge(face: Face, tool: AnyTool, hostile: HostileCase, answer: Answer): void {
  const context = `${face}: ${answer.status} ${answer.text.slice(0, 600)}`;
  expect(answer.status, context).toBeLessThan(500);
  expect(answer.code, context).not.toBe('INTERNAL_SERVER_ERROR');
  expect(answer.code, context).not.toBe(JSON_RPC_INTERNAL_ERROR);
  // Objects are strict: a misspelt or unknown parameter is refused by name, never ignored. Next.js itself drops a
  // `__proto__` query parameter before any route sees it (it copies the query into a plain object), so that one GET
  // parameter is lost rather than refused: the call is the call without it.
  const unknown = hostile.unknownFields.filter((field) => face !== 'REST GET' || field !== '__proto__');
  if (unknown.length > 0) expect(answer.refused, `unknown ${unknown.join(', ')} accepted; ${context}`).toBe(true);
  if (hostile.poisonedItem) {
    const [list, index] = hostile.poisonedItem;
    const named = ((answer.refused ? answer.issues : answer.data?.errors) ?? []) as FieldIssue[];
    expect(
      named.some((issue) => issue.path[0] === list && (answer.refused || issue.path[1] === index)),
      `${list}.${index} should be refused or rejected by name; ${context}`,
    ).toBe(true);
  }
  if (!answer.refused && Array.isArray(answer.data?.errors)) {
    // Items of a batch rejected one by one (ingest): each is named by its list, index and field.
    for (const error of answer.data.errors as FieldIssue[]) {
      expect(error.path.length, `a rejected item should be named; ${context}`).toBeGreaterThan(1);
      expect(error.message, context).toBeTruthy();
    }
  }
  if (!answer.refused || answer.transport || TRANSPORT_REFUSALS.has(answer.status)) return;
  expect(answer.message, context).toBeTruthy();
  // A key PostgreSQL cannot store is named with U+FFFD in its place (an error is JSON, and logged).
  const named = new Set((answer.issues ?? []).filter((issue) => issue.path.length > 0).map((issue) => String(issue.path[0])));
  for (const field of face === 'REST GET' ? hostile.queryMustName : hostile.mustName) {
    expect(named.has(asReceived(face, field)), `${field} should be named; ${context}`).toBe(true);
  }
  if (hostile.fields.length === 0) return; // the input as a whole was at fault: no one field to name
  const blamed = (answer.issues ?? []).filter((issue) => issue.path.length > 0);
  expect(blamed.length, `a refusal of a bad field should name it in issues; ${context}`).toBeGreaterThan(0);
  for (const issue of blamed) {
    expect(answer.message, `the message should name ${issue.path.join('.')}; ${context}`).toContain(String(issue.path[0]));
  }
  if (answer.code === 'CONFLICT' || answer.code === 'NOT_FOUND') {
    // About what is stored, not about the field that was changed: it names the field that identifies the row.
    const fields = toolShape(tool).properties;
    expect(
      blamed.some((issue) => fields.has(String(issue.path[0]))),
      `a known field should be named; ${context}`,
    ).toBe(true);
    return;
  }
  const touched = related(hostile.fields.map((field) => asReceived(face, field)));
  expect(
    blamed.some((issue) => touched.has(String(issue.path[0]))),
    `the issues should name one of ${[...touched].join(', ')}; ${context}`,
  ).toBe(true);
}

function differences(before: Fingerprint, after: Fingerprint): string {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]))
    .map(
      (name) =>
        `${name}: ${before[name]?.rows ?? 0} -> ${after[name]?.rows ?? 0} rows${before[name]?.rows === after[name]?.rows ? ' (content changed)' : ''}`,
    )
    .join('; ');
}

/** The example of each tool, prepared once (a stored row for the tools that need an id) through REST. */
const examples = new Map<AnyTool, unknown>();
async function exampleOf(tool: AnyTool): Promise<unknown> {
  if (!examples.has(tool)) {
    const viaRest = async <Input extends z.ZodType, Output>(
      called: Tool<Input, Output, boolean>,
      input: z.input<Input>,
    ): Promise<Output> => {
      const response = await fetch(`${server.url}/tools/${called.name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      expect(response.status, `${called.name}'s example`).toBe(200);
      return (await response.json()) as Output;
    };
    examples.set(tool, await exampleInput(tool, viaRest));
  }
  return examples.get(tool);
}

const tally = new Map<string, number>();

async function sendCounted(face: Face, tool: AnyTool, procedurePath: string, hostile: HostileCase): Promise<Answer> {
  const answer = await send(face, tool, procedurePath, hostile);
  const outcome = answer.refused ? `refused ${answer.status || '(connection closed)'}` : `accepted ${answer.status}`;
  tally.set(`${face} ${outcome}`, (tally.get(`${face} ${outcome}`) ?? 0) + 1);
  return answer;
}

afterAll(() => {
  const lines = [...tally.entries()].sort().map(([key, n]) => `  ${key}: ${n}`);
  console.log(`hostile-input (${testDatabaseKind}) answers:\n${lines.join('\n')}`);
});

/** A stable seed per tool and face, so that adding a tool does not change the cases of the others. */
function seedFor(name: string): number {
  let hash = SEED | 0;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

describe(`the state observer sees every write (${testDatabaseKind})`, () => {
  // On PGlite "nothing was written" is judged through the read tools, so they must see whatever a tool writes:
  // each writing tool's example, twice (the second call updates what the first created), changes what they show.
  // On PostgreSQL the same is checked against the exact database fingerprint, with mutated inputs too: whenever a
  // table changed, the read tools showed it.
  it('every writing tool, called with its example and mutated inputs, changes what the read tools show', async () => {
    for (const { tool } of registeredTools.filter(({ tool }) => !tool.readOnly)) {
      const example = await exampleOf(tool);
      examples.delete(tool); // the faces below prepare their own (a deleted rule stays deleted)
      const mutated =
        testDatabaseKind === 'postgres'
          ? fc.sample(hostileInputs(tool, example), { numRuns: 8, seed: seedFor(`observer ${tool.name}`) })
          : [];
      const calls = [example, example].map((input) => new TextEncoder().encode(JSON.stringify(input)));
      for (const [i, body] of [...calls, ...mutated.map((hostile) => hostile.body)].entries()) {
        const exact = testDatabaseKind === 'postgres' ? await observer.fingerprint() : null;
        const shown = await readTools.fingerprint();
        const response = await fetch(`${server.url}/tools/${tool.name}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await response.arrayBuffer();
        const shownAfter = await readTools.fingerprint();
        if (i === 0) expect(shownAfter, `${tool.name}'s example changes what the read tools show`).not.toEqual(shown);
        if (exact) {
          const exactAfter = await observer.fingerprint();
          if (JSON.stringify(exactAfter) !== JSON.stringify(exact)) {
            expect(shownAfter, `${tool.name} changed ${differences(exact, exactAfter)}: the read tools must show it`).not.toEqual(shown);
          }
        }
      }
    }
  });
});

const FACES: Face[] = ['REST POST', 'REST GET', 'MCP', 'tRPC'];

describe(`hostile input on every face (${testDatabaseKind})`, () => {
  for (const { tool, procedurePath } of registeredTools) {
    for (const face of FACES.filter((face) => face !== 'REST GET' || tool.readOnly)) {
      it(`${tool.name} over ${face}: never a 5xx, refusals name the field and write nothing`, async () => {
        const example = await exampleOf(tool);
        const fixed = fixedHostileCases(tool, example);
        if (tool.readOnly) {
          // A read writes nothing, whether it is accepted or refused: one look before and after the whole run sees
          // any write, and each case is looked at alone only to find which one wrote.
          const before = await observer.fingerprint();
          const sent: HostileCase[] = [];
          const run = fc.assert(
            fc.asyncProperty(hostileInputs(tool, example), async (hostile) => {
              sent.push(hostile);
              judge(face, tool, hostile, await sendCounted(face, tool, procedurePath, hostile));
            }),
            { numRuns: RUNS, seed: seedFor(`${tool.name} ${face}`), examples: fixed.map((hostile) => [hostile]) },
          );
          await run.finally(async () => {
            const after = await observer.fingerprint();
            if (JSON.stringify(after) === JSON.stringify(before)) return;
            const culprits: string[] = [];
            for (const hostile of sent) {
              const start = await observer.fingerprint();
              await sendCounted(face, tool, procedurePath, hostile);
              const end = await observer.fingerprint();
              if (JSON.stringify(end) !== JSON.stringify(start)) culprits.push(`${hostile.steps.join('; ')} (${differences(start, end)})`);
            }
            expect.fail(
              `${tool.name} is read-only but ${differences(before, after)}; cases that wrote: ${culprits.join(' | ') || 'none on a second try'}`,
            );
          });
          return;
        }
        // A write: the state is looked at before each case and after each refused one.
        let known: Fingerprint | null = null;
        const property = fc.asyncProperty(hostileInputs(tool, example), async (hostile) => {
          try {
            known ??= await observer.fingerprint();
            const answer = await sendCounted(face, tool, procedurePath, hostile);
            judge(face, tool, hostile, answer);
            if (answer.refused || hostile.poisonedItem) {
              const after = await observer.fingerprint();
              expect(after, `a refused call or rejected item wrote: ${differences(known, after)}`).toEqual(known);
            } else {
              known = null; // accepted: the next case starts from the new state
            }
          } catch (error) {
            known = null;
            throw error;
          }
        });
        await fc.assert(property, { numRuns: RUNS, seed: seedFor(`${tool.name} ${face}`), examples: fixed.map((hostile) => [hostile]) });
      });
    }
  }
});
