import type { z } from 'zod';
import type { PrismaClient } from '../db/client';

export interface ToolContext {
  prisma: PrismaClient;
  /** The calling API key's name when authentication is on (recorded with what the call changes); null otherwise. */
  callerName: string | null;
}

/**
 * One operation, written once: tRPC procedures, MCP tools and REST routes are all derived from it.
 * `name` is the spec's snake_case tool name; `readOnly` tools are tRPC queries, REST GET-able and need only a
 * read key. `destructive` marks tools that delete or overwrite (an MCP annotation agents use to ask first).
 */
export interface Tool<Input extends z.ZodType = z.ZodType, Output = unknown, ReadOnly extends boolean = boolean> {
  name: string;
  description: string;
  input: Input;
  readOnly: ReadOnly;
  destructive?: boolean;
  /**
   * Top-level input fields holding a batch's items, accepted or rejected one by one (`ingest`): the pipeline's raw-input
   * guard leaves their items to the tool's item schema, which guards each item itself (batchItem, server/schemas/ingest.ts).
   */
  itemLists?: readonly string[];
  handler: (ctx: ToolContext, input: z.output<Input>) => Promise<Output>;
  /** The result as text a person or model reads (MCP's text block); JSON when absent. */
  toText?: (output: Output) => string;
  /**
   * A call that works on an empty database, for the faces tests, the docs and anyone trying the tool: the spec's own example
   * where it gives one. A tool that needs a stored row (an id) prepares it with `call`, through the face under test.
   */
  example: ToolExample<z.input<Input>>;
}

/**
 * Calls another tool through the face under test (REST, MCP or tRPC) and returns its result as that face delivers it
 * (JSON: dates are strings on the wire).
 */
export type ToolCaller = <CalledInput extends z.ZodType, CalledOutput>(
  tool: Tool<CalledInput, CalledOutput, boolean>,
  input: z.input<CalledInput>,
) => Promise<CalledOutput>;

/** A plain input, or a function that prepares what the call needs and returns the input. */
export type ToolExample<Input> = Input | ((call: ToolCaller) => Promise<Input>);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds tools of every input and output type side by side
export type AnyTool = Tool<any, any, boolean>;

export function defineTool<Input extends z.ZodType, Output, ReadOnly extends boolean>(
  tool: Tool<Input, Output, ReadOnly>,
): Tool<Input, Output, ReadOnly> {
  return tool;
}

export function toolText(tool: AnyTool, output: unknown): string {
  return tool.toText ? tool.toText(output) : JSON.stringify(output, null, 2);
}
