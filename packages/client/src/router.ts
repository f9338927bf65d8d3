import type { inferRouterInputs, inferRouterOutputs, TRPCBuiltRouter, TRPCDefaultErrorData, TRPCDefaultErrorShape } from '@trpc/server';
import type { HoneProcedures } from './generated/router.js';

/** One bad field of a refused input: `path` names it (`['latencyMs']`, `['metadata', 'tags', 0]`). */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/** What a failed call carries, as the server's tRPC error formatter shapes it. */
export type HoneErrorShape = TRPCDefaultErrorShape & { data: TRPCDefaultErrorData & { issues: FieldIssue[] | null } };

/**
 * The server's router as the client sees it: every procedure's input and result, and nothing of the server
 * (no context, no database types). Generated from the server's AppRouter, checked against it in Hone's tests.
 */
export type HoneRouter = TRPCBuiltRouter<{ ctx: object; meta: object; errorShape: HoneErrorShape; transformer: false }, HoneProcedures>;

/** `HoneInputs['modelPerformance']['update']` is what `hone.modelPerformance.update.mutate()` takes. */
export type HoneInputs = inferRouterInputs<HoneRouter>;
/** `HoneOutputs['modelPerformance']['analyze']` is what `hone.modelPerformance.analyze.query()` resolves to. */
export type HoneOutputs = inferRouterOutputs<HoneRouter>;
