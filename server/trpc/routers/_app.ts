import { createCallerFactory, router } from '../trpc';
import { bugPatternsRouter } from './bug-patterns';
import { metricsRouter } from './metrics';
import { modelPerformanceRouter } from './model-performance';
import { regressionTestsRouter } from './regression-tests';
import { routingRouter } from './routing';

export const appRouter = router({
  regressionTests: regressionTestsRouter,
  routing: routingRouter,
  bugPatterns: bugPatternsRouter,
  metrics: metricsRouter,
  modelPerformance: modelPerformanceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
