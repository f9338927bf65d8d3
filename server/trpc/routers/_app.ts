import type { AnyTool } from '../../tools/define';
import { toolGroups } from '../../tools/registry';
import { createCallerFactory, router, toolRouter } from '../trpc';

type ToolGroups = Record<string, Record<string, AnyTool>>;

/** Derived entirely from the tool registry: one sub-router per group, one procedure per tool. */
function routerFromRegistry<Groups extends ToolGroups>(groups: Groups) {
  const subRouters = Object.fromEntries(Object.entries(groups).map(([group, tools]) => [group, toolRouter(tools)]));
  return router(subRouters as { [Group in keyof Groups & string]: ReturnType<typeof toolRouter<Groups[Group]>> });
}

export const appRouter = routerFromRegistry(toolGroups);

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
