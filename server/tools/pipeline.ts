// The one way a tool is called, whatever face the call came through (tRPC, REST, MCP, the dashboard's server
// rendering, the download route):
//
//   authenticate (the face, once per HTTP request) -> admit (authorize, once per call) -> read and parse the
//   input (one place, one error) -> the tool's handler -> its result.
//
// Faces only translate: HTTP or JSON-RPC in, `invokeTool`, the wire form of the result or of the HoneError out
// (server/error-mapping.ts).
import type { z } from 'zod';
import { chargeCall } from '../auth/rate-limit';
import { authorize, type RequestAuth } from '../auth/request-auth';
import type { PrismaClient } from '../db/client';
import { asHoneError } from '../error-mapping';
import { HoneError } from '../errors';
import { observeCall, type CallOrigin } from '../monitoring/metrics';
import type { AnyTool } from './define';
import { refuseUnsafeRawInput } from './input-guards';

const ADMITTED = Symbol('admitted');

/** Proof that a caller may call a tool. Only `admit` makes one, so a call carrying it was authorized exactly once. */
export interface Admission {
  readonly tool: AnyTool;
  readonly auth: RequestAuth;
  readonly [ADMITTED]: true;
}

/**
 * The authorization step of the pipeline, and the rate limit's: each admitted call takes one of the caller's tokens
 * (a tRPC batch of 50 takes 50); past the limit, a 429 saying when to retry. On its own for a face that must answer a
 * refusal before the call is made (MCP answers a read key's call of a writing tool with an HTTP 403 before it hands
 * the message to its SDK). Runs before any input is read: a refused caller learns nothing and writes nothing.
 */
export function admit(auth: RequestAuth, tool: AnyTool): Admission {
  authorize(auth, tool);
  chargeCall(auth.caller);
  return { tool, auth, [ADMITTED]: true };
}

/** Admission to an endpoint as a whole (MCP): whatever it is asked, it reads at least, so it needs a read key. */
export function admitReader(auth: RequestAuth, endpoint: string): void {
  authorize(auth, { name: endpoint, readOnly: true });
}

/** A request that calls no tool (MCP's initialize, tools/list) still counts as one call against the rate limit. */
export function admitToolless(auth: RequestAuth): void {
  chargeCall(auth.caller);
}

/**
 * A tool's raw input checked against its schema; a refusal names every bad field. The raw-input guard runs first:
 * what it refuses (a `__proto__` key, U+0000) a schema would silently drop or pass on to the database. A batch's
 * items (the tool's `itemLists`) are guarded by their item schema instead, one by one.
 */
export function parseToolInput<Tool extends AnyTool>(tool: Tool, rawInput: unknown): Parameters<Tool['handler']>[1] {
  refuseUnsafeRawInput(rawInput, { itemLists: tool.itemLists });
  const schema = tool.input as z.ZodType<Parameters<Tool['handler']>[1]>;
  const parsed = schema.safeParse(rawInput);
  if (!parsed.success) throw HoneError.fromZod(parsed.error);
  return parsed.data;
}

export interface ToolCall<Tool extends AnyTool = AnyTool> {
  tool: Tool;
  prisma: PrismaClient;
  /** Who is calling (authorized here), or the admission the face obtained from `admit` for this very call. */
  access: RequestAuth | Admission;
  /** The raw input; called only once the caller is admitted, so an unauthorized caller's body is never read. */
  readInput: () => unknown;
  /** The face the call came through and when its request arrived: the call is counted and timed under them. */
  origin: CallOrigin;
}

function admissionFor(tool: AnyTool, access: RequestAuth | Admission): Admission {
  if (!(ADMITTED in access)) return admit(access, tool);
  // An admission for another tool is a face's bug, never the caller's: refuse rather than run unauthorized.
  if (access.tool !== tool) throw new Error(`An admission for ${access.tool.name} was presented for ${tool.name}`);
  return access;
}

/**
 * Runs one tool call through the pipeline. Every failure comes out as a HoneError (unexpected ones logged once), and
 * every call, answered or refused, is counted once under its face and tool (server/monitoring/metrics.ts).
 */
export async function invokeTool<Tool extends AnyTool>({
  tool,
  prisma,
  access,
  readInput,
  origin,
}: ToolCall<Tool>): Promise<Awaited<ReturnType<Tool['handler']>>> {
  const startedAt = origin.receivedAt ?? performance.now();
  try {
    const { auth } = admissionFor(tool, access);
    const input = parseToolInput(tool, await readInput());
    const output = (await tool.handler({ prisma, callerName: auth.principal?.name ?? null }, input)) as Awaited<
      ReturnType<Tool['handler']>
    >;
    observeCall(origin, tool, null, startedAt);
    return output;
  } catch (error) {
    const failure = asHoneError(error, tool.name);
    observeCall(origin, tool, failure, startedAt);
    throw failure;
  }
}
