import { GetBugPatternsInput, RecordBugPatternInput } from '../schemas/bug-patterns';
import { getBugPatterns, recordBugPattern } from '../services/bug-patterns';
import { defineTool } from './define';

export const recordBugPatternTool = defineTool({
  name: 'record_bug_pattern',
  description:
    'Record an occurrence of a recurring bug. The first report of a (category, pattern) creates it; each further report increments ' +
    'its occurrences, keeps the highest severity seen and the newest non-empty description and solution.',
  input: RecordBugPatternInput,
  readOnly: false,
  handler: ({ prisma }, input) => recordBugPattern(prisma, input),
});

export const getBugPatternsTool = defineTool({
  name: 'get_bug_patterns',
  description:
    'List known bug patterns, most frequent first (then by severity, critical first, then most recently seen), optionally one category. Paginated.',
  input: GetBugPatternsInput,
  readOnly: true,
  handler: ({ prisma }, input) => getBugPatterns(prisma, input),
});
