import { describe, expect, it } from 'vitest';
import { OPEN_AUTH } from '../auth/request-auth';
import { downloadRegressionTests } from '../rest/regression-test-download';
import { exampleInput } from '../testing/tool-examples';
import type { ToolCaller } from '../tools/define';
import { invokeTool } from '../tools/pipeline';
import { tools } from '../tools/registry';
import { testDatabaseKind, useTestDatabase } from './database';

const ctx = useTestDatabase();

/** Calls a tool in process, through the pipeline every face uses. */
const callInProcess: ToolCaller = (tool, input) =>
  invokeTool({ tool, prisma: ctx.db.prisma, access: OPEN_AUTH, readInput: () => input, origin: { face: 'trpc' } });

// Each example runs on a database emptied before it: an example that needs a row makes its own, whatever ran before.
describe(`every tool's example works on an empty database (${testDatabaseKind})`, () => {
  it.each([...tools, downloadRegressionTests].map((tool) => [tool.name, tool] as const))('%s', async (_name, tool) => {
    const input = await exampleInput(tool, callInProcess);
    await expect(callInProcess(tool, input)).resolves.toBeDefined();
  });
});
