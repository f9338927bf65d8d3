import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, type z } from 'zod';
import { authorize } from '../auth/request-auth';
import { describeIssues, HoneError, type FieldIssue } from '../errors';
import type { AnyTool, Tool } from '../tools/define';
import type { Context } from './context';

/** Field-level issues of a failed call, whatever raised them: input validation or a service. */
function fieldIssues(error: TRPCError): FieldIssue[] | undefined {
  const cause = error.cause;
  if (cause instanceof ZodError) return HoneError.fromZod(cause).issues;
  if (cause instanceof HoneError && cause.issues.length) return cause.issues;
  return undefined;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const issues = fieldIssues(error);
    return {
      ...shape,
      message: error.cause instanceof ZodError && issues ? describeIssues(issues) : shape.message,
      data: { ...shape.data, issues: issues ?? null },
    };
  },
});

/** The one place HoneError becomes a tRPC error (its code names match tRPC's). */
const mapHoneErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof HoneError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapHoneErrors);

/** Checked before the input is parsed, so a caller without the right key learns nothing and writes nothing. */
function authorized(tool: AnyTool) {
  return publicProcedure.use(({ ctx, next }) => {
    authorize(ctx.auth, tool);
    return next();
  });
}

function toolQuery<Input extends z.ZodType, Output>(tool: Tool<Input, Output, true>) {
  return authorized(tool).input(tool.input).query(({ ctx, input }) => tool.handler(ctx, input as z.output<Input>));
}

function toolMutation<Input extends z.ZodType, Output>(tool: Tool<Input, Output, false>) {
  return authorized(tool).input(tool.input).mutation(({ ctx, input }) => tool.handler(ctx, input as z.output<Input>));
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
    Object.entries(group).map(([name, tool]) => [name, tool.readOnly ? toolQuery(tool as Tool<z.ZodType, unknown, true>) : toolMutation(tool as Tool<z.ZodType, unknown, false>)]),
  );
  return router(procedures as { [Name in keyof Group]: ToolProcedure<Group[Name]> });
}
