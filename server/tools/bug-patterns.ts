import { GetBugPatternInput, GetBugPatternsInput, GetBugPatternTrendsInput, RecordBugPatternInput } from '../schemas/bug-patterns';
import { getBugPatterns, recordBugPattern } from '../services/bug-patterns';
import { getBugPattern, getBugPatternTrends } from '../services/bug-trends';
import { defineTool } from './define';

export const recordBugPatternTool = defineTool({
  name: 'record_bug_pattern',
  description:
    'Record an occurrence of a recurring bug. The first report of a (category, pattern) creates it; each further report increments ' +
    'its occurrences, keeps the highest severity seen and the newest non-empty description and solution.',
  input: RecordBugPatternInput,
  readOnly: false,
  // The spec's example.
  example: {
    category: 'timeout',
    pattern: 'LLM timeout on large context',
    description: 'Model times out when context > 100K tokens',
    solution: 'Split context into chunks, use compression',
    severity: 'high',
  },
  handler: ({ prisma }, input) => recordBugPattern(prisma, input),
});

export const getBugPatternsTool = defineTool({
  name: 'get_bug_patterns',
  description:
    'List known bug patterns, most frequent first (then by severity, critical first, then most recently seen), optionally one category. Paginated.',
  input: GetBugPatternsInput,
  readOnly: true,
  // The spec's example.
  example: { category: 'timeout' },
  handler: ({ prisma }, input) => getBugPatterns(prisma, input),
});

export const getBugPatternTrendsTool = defineTool({
  name: 'get_bug_pattern_trends',
  description:
    'Bug occurrences per time bucket over a date range (default the last 7 days, at most 400 days), stacked by category or by severity, each series ' +
    'marked rising, falling or steady (second half of the range against the first). At most 50 series, the most frequent; `truncated` is true when more. ' +
    'Use it to see which kind of bug keeps coming back.',
  input: GetBugPatternTrendsInput,
  readOnly: true,
  example: { groupBy: 'severity' },
  handler: ({ prisma }, input) => getBugPatternTrends(prisma, input),
});

export const getBugPatternTool = defineTool({
  name: 'get_bug_pattern',
  description:
    'One bug pattern by id: description, solution, occurrences, first/last seen, its occurrences over a date range (default the last 7 days, at most ' +
    '400 days), and the newest 100 regression tests of its category (`regressionTestsTruncated` says when there are more).',
  input: GetBugPatternInput,
  readOnly: true,
  example: async (call) => {
    const { id } = await call(recordBugPatternTool, { category: 'timeout', pattern: 'LLM timeout on large context', severity: 'high' });
    return { id };
  },
  handler: ({ prisma }, input) => getBugPattern(prisma, input),
});
