import type { z } from 'zod';
import type { PrismaClient } from '../db/client';

export interface ToolContext {
  prisma: PrismaClient;
}

/**
 * One operation, written once: tRPC procedures, MCP tools and REST routes are all derived from it.
 * `name` is the spec's snake_case tool name; `readOnly` tools are queries (and REST GET-able).
 */
export interface Tool<Input extends z.ZodType = z.ZodType, Output = unknown> {
  name: string;
  description: string;
  input: Input;
  readOnly: boolean;
  handler: (ctx: ToolContext, input: z.output<Input>) => Promise<Output>;
}

export function defineTool<Input extends z.ZodType, Output>(tool: Tool<Input, Output>): Tool<Input, Output> {
  return tool;
}
