import { authorize, type RequestAuth } from '../auth/request-auth';
import type { PrismaClient } from '../db/client';
import { HoneError } from '../errors';
import type { AnyTool } from './define';

export interface InvocationContext {
  prisma: PrismaClient;
  auth: RequestAuth;
}

/** Runs a tool on input its schema has already accepted (the MCP SDK validates before calling). */
export async function runTool(tool: AnyTool, { prisma, auth }: InvocationContext, input: unknown): Promise<unknown> {
  authorize(auth, tool);
  return tool.handler({ prisma }, input);
}

/** A tool's raw input checked against its schema; a refusal names every bad field. */
export function parseToolInput(tool: AnyTool, rawInput: unknown): unknown {
  const parsed = tool.input.safeParse(rawInput);
  if (!parsed.success) throw HoneError.fromZod(parsed.error);
  return parsed.data;
}
