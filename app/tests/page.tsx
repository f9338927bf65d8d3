import { TRPCError } from '@trpc/server';
import Link from 'next/link';
import { highlightTypeScript } from '@/app/_lib/highlight';
import { firstParam, type SearchParams } from '@/app/_lib/range';
import { formatDateTime } from '@/components/format';
import { serverCaller } from '@/server/trpc/server-rendering';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 20;

/** Server-rendered: the code is highlighted here, and search, category and paging are plain links and a GET form. */
export default async function TestsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = await searchParams;
  const category = firstParam(query.category);
  const search = firstParam(query.search);
  const cursor = Number(firstParam(query.cursor)) || undefined;
  const caller = await serverCaller();
  const [categories, { page, refusal }] = await Promise.all([
    caller.regressionTests.categories(),
    caller.regressionTests
      .list({ limit: PAGE_SIZE, ...(category && { category }), ...(search && { search }), ...(cursor && { cursor }) })
      .then(
        (page) => ({ page, refusal: null }),
        // The inputs come from the URL: a value the API refuses is said on the page, like a form error, not a server error.
        (error: unknown) => {
          if (error instanceof TRPCError && error.code === 'BAD_REQUEST')
            return { page: { items: [], nextCursor: null }, refusal: error.message };
          throw error;
        },
      ),
  ]);
  const total = categories.reduce((sum, c) => sum + c.tests, 0);
  const link = (changes: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    const merged = { category, search, ...changes };
    for (const [k, v] of Object.entries(merged)) if (v) params.set(k, v);
    const qs = params.toString();
    return qs ? `/tests?${qs}` : '/tests';
  };
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Regression tests</h1>
          <p className="muted">Tests born from bugs; download one, or a whole category, as a ready-to-run Vitest file.</p>
        </div>
        <form method="get" action="/tests" className="controls" role="search">
          {category && <input type="hidden" name="category" value={category} />}
          <input
            type="search"
            name="search"
            defaultValue={search ?? ''}
            placeholder="Search name or description"
            aria-label="Search tests"
          />
          <button type="submit" className="primary">
            Search
          </button>
        </form>
      </div>
      <div className="sidebar-layout">
        <nav className="card category-list" aria-label="Categories" data-testid="test-categories">
          <Link href={link({ category: undefined, cursor: undefined })} className={!category ? 'active' : ''}>
            <span>All</span> <span className="muted">{total}</span>
          </Link>
          {categories.map((c) => (
            <Link
              key={c.category}
              href={link({ category: c.category, cursor: undefined })}
              className={category === c.category ? 'active' : ''}
            >
              <span>{c.category}</span> <span className="muted">{c.tests}</span>
            </Link>
          ))}
        </nav>
        <section className="card" data-testid="test-list">
          {category && (
            <p>
              <a
                className="button"
                href={`/tests/download?category=${encodeURIComponent(category)}`}
                download
                data-testid="download-category"
              >
                Download all {category} tests (.test.ts)
              </a>
            </p>
          )}
          {refusal && (
            <p className="error" role="alert" data-testid="tests-query-error">
              This search cannot be run: {refusal}
            </p>
          )}
          {!refusal && page.items.length === 0 && <p className="muted">No regression test matches{search ? ` “${search}”` : ''}.</p>}
          {page.items.map((t) => (
            <article key={t.id} id={`test-${t.id}`} className="test-item" data-test-name={t.testName}>
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: '1rem', alignItems: 'baseline' }}>
                <h3>
                  <code>{t.testName}</code> <span className="badge">{t.category}</span> <span className="badge">{t.discoveredFrom}</span>
                </h3>
                <a href={`/tests/download?name=${encodeURIComponent(t.testName)}`} download data-testid={`download-${t.testName}`}>
                  Download .test.ts
                </a>
              </div>
              <p style={{ margin: '0.35rem 0' }}>{t.description}</p>
              <p className="muted small" style={{ margin: 0 }}>
                Expected: {t.expectedBehavior} · added {formatDateTime(t.createdAt)}
                {typeof t.metadata.bugTicket === 'string' && <> · {t.metadata.bugTicket}</>}
              </p>
              <pre className="code">
                <code className="hljs language-typescript" dangerouslySetInnerHTML={{ __html: highlightTypeScript(t.testCode) }} />
              </pre>
            </article>
          ))}
          <div className="pager">
            {cursor && <Link href={link({ cursor: undefined })}>← First page</Link>}
            {page.nextCursor && <Link href={link({ cursor: String(page.nextCursor) })}>Next page →</Link>}
          </div>
        </section>
      </div>
    </>
  );
}
