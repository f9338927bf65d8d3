import type { RegressionTestDto } from '@/server/services/regression-tests';
import type { serverCaller } from '../trpc/server';

type Caller = Awaited<ReturnType<typeof serverCaller>>;

const PAGE = 1000;

/** Every test matching the filter, page by page through get_regression_tests. */
export async function allRegressionTests(caller: Caller, filter: { category?: string; search?: string }): Promise<RegressionTestDto[]> {
  const tests: RegressionTestDto[] = [];
  let cursor: number | undefined;
  do {
    const page = await caller.regressionTests.list({ ...filter, limit: PAGE, ...(cursor && { cursor }) });
    tests.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return tests;
}

/** A file name that is safe everywhere and that Vitest picks up (*.test.ts). */
export const testFileName = (stem: string) => `${stem.replace(/[^A-Za-z0-9_.-]+/g, '_')}.test.ts`;
