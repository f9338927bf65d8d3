import { allRegressionTests, testFileName } from '@/components/code/regression-test-files';
import { serverCaller } from '@/components/trpc/server';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { vitestFileOf } from '@/server/services/regression-tests';

export const dynamic = 'force-dynamic';

/**
 * GET /tests/download?name=<testName> -> that test as a Vitest file;
 * GET /tests/download?category=<category> -> every test of the category in one file.
 */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const name = url.searchParams.get('name')?.trim();
  const category = url.searchParams.get('category')?.trim();
  if (!name === !category) return Response.json({ error: { message: 'give exactly one of name or category' } }, { status: 400 });
  const caller = await serverCaller();
  let tests: Awaited<ReturnType<typeof allRegressionTests>>;
  try {
    tests = name ? (await allRegressionTests(caller, { search: name })).filter((t) => t.testName === name) : await allRegressionTests(caller, { category });
  } catch (error) {
    // A script with a bad or missing key gets the API's own status (401), not a server error.
    if (error instanceof TRPCError) return Response.json({ error: { message: error.message } }, { status: getHTTPStatusCodeFromError(error) });
    throw error;
  }
  if (tests.length === 0) return Response.json({ error: { message: name ? `no regression test named ${name}` : `no regression test in category ${category}` } }, { status: 404 });
  const fileName = testFileName(name ?? `${category}.regression`);
  return new Response(vitestFileOf([...tests].reverse()), {
    headers: {
      'content-type': 'text/typescript; charset=utf-8',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
  });
}
