import type { z } from 'zod';
import type { AnyTool, Tool, ToolCaller } from '../tools/define';

// Each tool's example (server/tools/*, beside the tool) as tests use it: run through a face, or varied by a test.

/** The example input of a tool, after preparing what it needs (a stored row) through `call`, the face under test. */
export async function exampleInput(tool: AnyTool, call: ToolCaller): Promise<unknown> {
  return typeof tool.example === 'function' ? tool.example(call) : tool.example;
}

/** A tool's example when it is a plain input (the spec's tools' are), for a test that varies it. */
export function plainExample<Input extends z.ZodType, Output>(tool: Tool<Input, Output, boolean>): z.input<Input> {
  if (typeof tool.example === 'function') throw new Error(`The example of ${tool.name} prepares rows first: use exampleInput with a face`);
  return tool.example;
}
