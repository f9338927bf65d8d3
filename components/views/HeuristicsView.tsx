'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { ALL_RULES } from '@/app/_lib/view-inputs';
import { ChartCard, chartState } from '../charts/ChartCard';
import { hitRateLines, rulesWithHits, type RuleRow } from '../charts/prepare/routing';
import { isEmpty } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatCount, formatPercent } from '../format';
import type { DraftRule } from '../forms/draft-rule';
import { RuleForm } from '../forms/RuleForm';
import { TryRouteBox } from '../forms/TryRouteBox';
import { useTRPC } from '../trpc/client';

/** `canEdit` is false for a session opened with a read key: the server would refuse the edits anyway. */
export function HeuristicsView({ filter, canEdit }: { filter: IsoRange & { taskType?: string }; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.routing.listHeuristics.queryOptions(ALL_RULES));
  const rates = useQuery(trpc.routing.hitRates.queryOptions(filter));
  const lines = useMemo(() => (rates.data ? hitRateLines(rates.data) : null), [rates.data]);
  const rows = useMemo(() => rulesWithHits(rules.data ?? [], rates.data), [rules.data, rates.data]);
  const [editing, setEditing] = useState<number | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [draft, setDraft] = useState<DraftRule | undefined>();
  const priorities = useMemo(() => new Map(rows.map((r) => [r.id, r.priority])), [rows]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.routing.pathKey() });
  const update = useMutation(
    trpc.routing.updateHeuristic.mutationOptions({ onSettled: refresh, onError: (e) => setActionError(e.message) }),
  );
  const remove = useMutation(
    trpc.routing.deleteHeuristic.mutationOptions({ onSettled: refresh, onError: (e) => setActionError(e.message) }),
  );
  const patch = (rule: RuleRow, change: { active?: boolean; priority?: number }) =>
    update.mutate({ id: rule.id, pattern: rule.pattern, preferredLayer: rule.preferredLayer, ...change });

  // Equal priorities are ordered most recently updated first: taking the neighbour's priority moves a rule just above it.
  const moveUp = (i: number) => patch(rows[i]!, { priority: rows[i - 1]!.priority });
  const moveDown = (i: number) => patch(rows[i + 1]!, { priority: rows[i]!.priority });

  return (
    <>
      <div className="grid stats">
        <div className="card stat" data-testid="overall-hit-rate">
          <div className="value">{formatPercent(rates.data?.hitRate)}</div>
          <div className="label">overall hit rate ({formatCount(rates.data?.decisions)} decisions)</div>
        </div>
        <div className="card stat">
          <div className="value">{rows.filter((r) => r.active).length}</div>
          <div className="label">active rules of {rows.length}</div>
        </div>
      </div>

      <h2>Rules in evaluation order</h2>
      <div className="card">
        {!canEdit && (
          <p className="muted" data-testid="read-only-notice">
            Signed in with a read key: editing rules needs a write key.
          </p>
        )}
        {actionError && (
          <p className="form-error" role="alert">
            {actionError}
          </p>
        )}
        {rules.isError && <p className="form-error">Could not load the rules: {rules.error.message}</p>}
        <table className="data" data-testid="rules-table">
          <thead>
            <tr>
              {canEdit && <th>Order</th>}
              <th className="num">Priority</th>
              <th>Pattern</th>
              <th>Layer</th>
              <th>Model</th>
              <th>Active</th>
              <th className="num">Hits</th>
              <th className="num">Hit rate</th>
              <th className="num">Success rate</th>
              {canEdit && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((rule, i) =>
              editing === rule.id ? (
                <tr key={rule.id}>
                  <td colSpan={10}>
                    <RuleForm rule={rule} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <tr key={rule.id} className={rule.active ? undefined : 'inactive'} data-rule-id={rule.id} data-pattern={rule.pattern}>
                  {canEdit && (
                    <td>
                      <button
                        type="button"
                        className="icon"
                        aria-label={`Move /${rule.pattern}/ up`}
                        disabled={i === 0 || update.isPending}
                        onClick={() => moveUp(i)}
                      >
                        ▲
                      </button>{' '}
                      <button
                        type="button"
                        className="icon"
                        aria-label={`Move /${rule.pattern}/ down`}
                        disabled={i === rows.length - 1 || update.isPending}
                        onClick={() => moveDown(i)}
                      >
                        ▼
                      </button>
                    </td>
                  )}
                  <td className="num">{rule.priority}</td>
                  <td>
                    <code>{rule.pattern}</code>
                    {rule.reasoning && <div className="muted small">{rule.reasoning}</div>}
                  </td>
                  <td>{rule.preferredLayer}</td>
                  <td>{rule.preferredModel ?? <span className="muted">layer default</span>}</td>
                  <td>{rule.active ? 'yes' : 'no'}</td>
                  <td className="num">{formatCount(rule.hits)}</td>
                  <td className="num">{formatPercent(rule.hitRate)}</td>
                  <td className="num">{formatPercent(rule.successRate)}</td>
                  {canEdit && (
                    <td style={{ whiteSpace: 'nowrap' }}>
                      <button type="button" className="secondary" onClick={() => setEditing(rule.id)}>
                        Edit
                      </button>{' '}
                      <button
                        type="button"
                        className="secondary"
                        disabled={update.isPending}
                        onClick={() => patch(rule, { active: !rule.active })}
                      >
                        {rule.active ? 'Deactivate' : 'Activate'}
                      </button>{' '}
                      <button
                        type="button"
                        className="danger"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(`Delete rule #${rule.id} /${rule.pattern}/ and its hit history?`))
                            remove.mutate({ id: rule.id });
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>

      <div className="grid two" style={{ marginTop: '1rem' }}>
        {canEdit && (
          <section className="card">
            <h3>New rule</h3>
            <p className="muted small">
              Checked as you type, with the linear-time RE2 engine rules run on: no lookaround or backreferences.
            </p>
            <RuleForm rule={null} onDraftChange={setDraft} />
          </section>
        )}
        <section className="card">
          <h3>Try it</h3>
          <p className="muted small">
            Which active rule would route this request, and where to; and what the new rule you are writing would do.
          </p>
          <TryRouteBox draft={draft} priorities={priorities} />
        </section>
      </div>

      <h2>Hit rate over time</h2>
      <ChartCard
        title="Hit rate per rule and overall"
        subtitle="Share of routing decisions each rule decided; the thick line is any rule (1 − misses)."
        testId="hit-rate-chart"
        state={chartState(rates, !lines || isEmpty(lines))}
        seriesCount={lines?.series.length ?? 0}
        error={rates.error?.message}
      >
        {lines && <TimeSeriesChart data={lines} bucket={rates.data!.bucket} unit="%" format={(v) => formatPercent(v, 0)} height={340} />}
      </ChartCard>
    </>
  );
}
