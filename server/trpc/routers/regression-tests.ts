import { generateRegressionTestTool, getRegressionTestsTool } from '../../tools/regression-tests';
import { router, toolMutation, toolQuery } from '../trpc';

export const regressionTestsRouter = router({
  generate: toolMutation(generateRegressionTestTool),
  list: toolQuery(getRegressionTestsTool),
});
