import { initTRPC } from '@trpc/server';
import type { z } from 'zod';
import { trpcErrorOf, trpcErrorPresentation } from '../error-mapping';
import { HoneError } from '../errors';
import type { AnyTool, Tool } from '../tools/define';
import { invokeTool } from '../tools/pipeline';
import type { Context } from './context';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const { message, issues } = trpcErrorPresentation(error);
    return { ...shape, message, data: { ...shape.data, issues } };
  },
});

/** HoneErrors (every failure of the pipeline) become tRPC errors of the same code, so the HTTP status follows. */
const mapHoneErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof HoneError) throw trpcErrorOf(result.error.cause);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapHoneErrors);

/**
 * Types the procedure's input as the schema's input without validating it: the pipeline makes the one real parse
 * (after authorizing), so a tRPC call is checked exactly like a REST or MCP call.
 */
function typedButUnparsed<Input extends z.ZodType>(): (raw: unknown) => z.input<Input> {
  return (raw) => raw as z.input<Input>;
}

function toolQuery<Input extends z.ZodType, Output>(tool: Tool<Input, Output, true>) {
  return publicProcedure
    .input(typedButUnparsed<Input>())
    .query(({ ctx, input }): Promise<Output> =>
      invokeTool({ tool, prisma: ctx.prisma, access: ctx.auth, readInput: () => input, origin: ctx.origin }),
    );
}

function toolMutation<Input extends z.ZodType, Output>(tool: Tool<Input, Output, false>) {
  return publicProcedure
    .input(typedButUnparsed<Input>())
    .mutation(({ ctx, input }): Promise<Output> =>
      invokeTool({ tool, prisma: ctx.prisma, access: ctx.auth, readInput: () => input, origin: ctx.origin }),
    );
}

/** A read-only tool is a query, any other a mutation: the typed client calls `.query()` or `.mutate()` accordingly. */
type ToolProcedure<T> =
  T extends Tool<infer Input, infer Output, true>
    ? ReturnType<typeof toolQuery<Input, Output>>
    : T extends Tool<infer Input, infer Output, false>
      ? ReturnType<typeof toolMutation<Input, Output>>
      : never;

export function toolRouter<Group extends Record<string, AnyTool>>(group: Group) {
  const procedures = Object.fromEntries(
    Object.entries(group).map(([name, tool]) => [
      name,
      tool.readOnly ? toolQuery(tool as Tool<z.ZodType, unknown, true>) : toolMutation(tool as Tool<z.ZodType, unknown, false>),
    ]),
  );
  return router(procedures as { [Name in keyof Group]: ToolProcedure<Group[Name]> });
}
