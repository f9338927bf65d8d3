import { getBugPatternsTool, recordBugPatternTool } from '../../tools/bug-patterns';
import { router, toolMutation, toolQuery } from '../trpc';

export const bugPatternsRouter = router({
  record: toolMutation(recordBugPatternTool),
  list: toolQuery(getBugPatternsTool),
});
