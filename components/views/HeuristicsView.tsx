'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useMemo, useState } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { ALL_RULE_CHECKS, ALL_RULES } from '@/app/_lib/view-inputs';
import { SuggestionsCard } from '../cards/SuggestionsCard';
import { ChartCard, chartState } from '../charts/ChartCard';
import { displacedSummary, measuredSuccess, versionNumbers, warningsByRule } from '../charts/prepare/heuristics';
import { hitRateLines, rulesWithHits, type RuleRow } from '../charts/prepare/routing';
import { isEmpty } from '../charts/prepare/rows';
import { TimeSeriesChart } from '../charts/TimeSeriesChart';
import { formatCount, formatMs, formatPercent, formatUsd } from '../format';
import type { DraftRule } from '../forms/draft-rule';
import { RuleForm } from '../forms/RuleForm';
import { useRoutingPolicies } from '../forms/use-routing-policies';
import { RuleWarnings } from '../forms/RuleWarnings';
import { RuleHistoryTable } from '../tables/RuleHistoryTable';
import { TryRouteBox } from '../forms/TryRouteBox';
import { useTRPC } from '../trpc/client';

const NO_OUTCOMES = {
  n: 0,
  successes: 0,
  successRate: null,
  successRateInterval: null,
  meanLatencyMs: null,
  latencySamples: 0,
  meanCost: null,
  costSamples: 0,
};

/** `canEdit` is false for a session opened with a read key: the server would refuse the edits anyway. */
export function HeuristicsView({ filter, canEdit }: { filter: IsoRange & { taskType?: string }; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.routing.listHeuristics.queryOptions(ALL_RULES));
  const rates = useQuery(trpc.routing.hitRates.queryOptions(filter));
  const lines = useMemo(() => (rates.data ? hitRateLines(rates.data) : null), [rates.data]);
  const rows = useMemo(() => rulesWithHits(rules.data ?? [], rates.data), [rules.data, rates.data]);
  const stats = useQuery(trpc.routing.ruleStats.queryOptions(filter));
  const checks = useQuery(trpc.routing.checkRules.queryOptions(ALL_RULE_CHECKS));
  // Names for the rules that name an adaptive policy (the same query as the rule form's picker, so one request).
  const { nameOf: policyName } = useRoutingPolicies();
  const statsByRule = useMemo(() => new Map(stats.data?.rules.map((r) => [r.ruleId, r]) ?? []), [stats.data]);
  const versionsOf = useMemo(() => versionNumbers(stats.data), [stats.data]);
  const warnings = useMemo(() => warningsByRule(checks.data?.warnings), [checks.data]);
  const [editing, setEditing] = useState<number | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const toggleHistory = (id: number) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const columns = canEdit ? 13 : 11;
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
          <div className="label">
            active rules of {rows.length} ({rows.filter((r) => r.state === 'shadow').length} in shadow)
          </div>
        </div>
        <div className="card stat" data-testid="default-layer-success">
          <div className="value">{measuredSuccess(stats.data?.defaultLayer.outcomes ?? NO_OUTCOMES)}</div>
          <div className="label">measured success when no rule matched ({formatCount(stats.data?.defaultLayer.decisions)} decisions)</div>
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
              <th>State</th>
              <th className="num">Hits</th>
              <th className="num">Hit rate</th>
              <th className="num" title="From reported outcomes of this version: rate (95% interval, sample size)">
                Measured success
              </th>
              <th className="num" title="The successRate a client stated: the prior">
                Stated
              </th>
              <th className="num">Mean latency</th>
              <th className="num">Mean cost</th>
              {canEdit && <th>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((rule, i) => {
              const ruleStats = statsByRule.get(rule.id);
              const current = ruleStats?.versions.find((v) => v.current);
              const ruleWarnings = warnings.get(rule.id) ?? [];
              return editing === rule.id ? (
                <tr key={rule.id}>
                  <td colSpan={columns}>
                    <RuleForm rule={rule} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <Fragment key={rule.id}>
                  <tr
                    className={rule.active ? undefined : rule.state}
                    data-rule-id={rule.id}
                    data-pattern={rule.pattern}
                    data-state={rule.state}
                    data-warnings={ruleWarnings.length}
                  >
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
                      <code>{rule.pattern}</code> {rule.state === 'shadow' && <span className="badge shadow">shadow</span>}{' '}
                      <button
                        type="button"
                        className="link"
                        aria-expanded={expanded.has(rule.id)}
                        aria-label={`History of /${rule.pattern}/`}
                        onClick={() => toggleHistory(rule.id)}
                      >
                        v{rule.version} · history
                      </button>
                      {rule.reasoning && <div className="muted small">{rule.reasoning}</div>}
                      <RuleWarnings warnings={ruleWarnings} title="Checks:" testId={`rule-warnings-row-${rule.id}`} />
                    </td>
                    <td>{rule.preferredLayer}</td>
                    <td data-testid={`rule-model-${rule.id}`}>
                      {rule.policyId !== null ? (
                        <span title="An adaptive policy chooses the model among its candidates">
                          policy <strong>{policyName(rule.policyId)}</strong>
                        </span>
                      ) : (
                        (rule.preferredModel ?? <span className="muted">layer default</span>)
                      )}
                    </td>
                    <td>{rule.state}</td>
                    <td className="num" data-testid={`rule-hits-${rule.id}`}>
                      {rule.state === 'shadow' && current ? (
                        <>
                          {formatCount(current.shadowHits)} would have matched, {formatCount(current.wouldDecide)} would have decided
                          {current.displaced.length > 0 && (
                            <div className="muted small">displacing {displacedSummary(current.displaced, versionsOf)}</div>
                          )}
                        </>
                      ) : (
                        formatCount(rule.hits)
                      )}
                    </td>
                    <td className="num">{formatPercent(rule.hitRate)}</td>
                    <td className="num" data-testid={`rule-measured-${rule.id}`}>
                      {current ? measuredSuccess(current.outcomes) : '–'}
                      {ruleStats && ruleStats.versions.length > 1 && ruleStats.outcomes.n > (current?.outcomes.n ?? 0) && (
                        <div className="muted small">all versions: {measuredSuccess(ruleStats.outcomes)}</div>
                      )}
                    </td>
                    <td className="num" data-testid={`rule-stated-${rule.id}`}>
                      {formatPercent(rule.successRate)}
                    </td>
                    <td className="num">{formatMs(current?.outcomes.meanLatencyMs)}</td>
                    <td className="num">{formatUsd(current?.outcomes.meanCost)}</td>
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
                  {expanded.has(rule.id) && (
                    <tr className="detail">
                      <td colSpan={columns}>
                        <RuleHistoryTable ruleId={rule.id} stats={ruleStats} versionsOf={versionsOf} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
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

      <h2>Suggestions</h2>
      <SuggestionsCard range={filter} canEdit={canEdit} />

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
