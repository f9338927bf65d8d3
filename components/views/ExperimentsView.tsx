'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { ALL_EXPERIMENTS } from '@/app/_lib/view-inputs';
import { armRows, experimentListRows, verdictBanner } from '../charts/prepare/experiments';
import { formatDateTime } from '../format';
import { ExperimentForm } from '../forms/ExperimentForm';
import { useTRPC } from '../trpc/client';

type LoadState = 'loading' | 'ready' | 'empty' | 'error';
const loadState = (query: { isPending: boolean; isError: boolean }, empty: boolean): LoadState =>
  query.isError ? 'error' : query.isPending ? 'loading' : empty ? 'empty' : 'ready';

/** Every experiment, newest running first, and (with a write key) the form to start one. */
export function ExperimentsView({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.experiments.list.queryOptions(ALL_EXPERIMENTS));
  const rows = useMemo(() => experimentListRows(list.data ?? []), [list.data]);
  const state = loadState(list, rows.length === 0);
  return (
    <>
      <section className="card" data-testid="experiments-list" data-state={state} data-count={rows.length}>
        <h3>Experiments</h3>
        {state === 'loading' && <div className="chart-placeholder">Loading…</div>}
        {state === 'error' && <div className="chart-placeholder error">Could not load: {list.error?.message}</div>}
        {state === 'empty' && <div className="chart-placeholder">No experiments yet.</div>}
        {state === 'ready' && (
          <table className="data">
            <thead>
              <tr>
                <th>Experiment</th>
                <th>Rule</th>
                <th>Task type</th>
                <th>Status</th>
                <th className="num">Arms</th>
                <th className="num">Decisions</th>
                <th className="num">Outcomes</th>
                <th>Verdict</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-experiment-id={row.id} data-status={row.status}>
                  <td>
                    <Link href={`/experiments/${row.id}`}>
                      #{row.id} {row.name}
                    </Link>
                  </td>
                  <td>
                    <code>{row.rule}</code>
                  </td>
                  <td>{row.taskType}</td>
                  <td>{row.status}</td>
                  <td className="num">{row.arms}</td>
                  <td className="num">{row.decisions}</td>
                  <td className="num">{row.outcomes}</td>
                  <td>{row.verdict}</td>
                  <td>{formatDateTime(row.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {canEdit ? (
        <section className="card" style={{ marginTop: '1rem' }}>
          <h3>New experiment</h3>
          <p className="muted small">
            Decisions of the rule are split between the arms by a stable hash of their request key (resolve_route&apos;s requestKey), so a
            conversation stays in one arm. The verdict uses an always-valid sequential test (mSPRT): it may be read at any time.
          </p>
          <ExperimentForm />
        </section>
      ) : (
        <p className="muted" data-testid="read-only-notice">
          Signed in with a read key: starting, stopping and promoting experiments needs a write key.
        </p>
      )}
    </>
  );
}

/** One experiment: verdict banner, arms table with intervals, Promote and Stop (write keys only). */
export function ExperimentDetailView({ id, canEdit }: { id: number; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const experiment = useQuery(trpc.experiments.get.queryOptions({ id }));
  const [actionError, setActionError] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.experiments.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.routing.pathKey() }),
    ]);
  const stop = useMutation(trpc.experiments.stop.mutationOptions({ onSettled: refresh, onError: (e) => setActionError(e.message) }));
  const data = experiment.data;
  const rows = useMemo(() => (data ? armRows(data) : []), [data]);
  const banner = data ? verdictBanner(data.verdict) : null;
  const state = loadState(experiment, false);
  const running = data?.status === 'running';
  return (
    <>
      {banner && (
        <div
          className={`card verdict verdict-${banner.tone}`}
          data-testid="experiment-verdict"
          data-status={data?.verdict.status}
          role="status"
        >
          <strong>{banner.title}</strong>
          <p>{banner.text}</p>
        </div>
      )}
      {data && (
        <p className="muted" data-testid="experiment-summary">
          Rule{' '}
          {data.rule ? (
            <>
              #{data.rule.id} <code>/{data.rule.pattern}/</code> now v{data.rule.version} → {data.rule.layer}
              {data.rule.model ? ` / ${data.rule.model}` : ''}
            </>
          ) : (
            `#${data.ruleId} (deleted)`
          )}
          {data.taskType ? `, task type ${data.taskType}` : ', every task type'} · {data.status}
          {data.promotedVersionId !== null && (
            <span data-testid="promoted-version"> · promoted as rule version id {data.promotedVersionId}</span>
          )}{' '}
          · α {data.alpha} ({data.comparisonAlpha.toPrecision(3)} per arm vs control) · verdict after {data.minOutcomes} outcomes per arm
          {data.guard ? ' · guard on' : ' · guard off'}
        </p>
      )}
      {actionError && (
        <p className="form-error" role="alert">
          {actionError}
        </p>
      )}
      <section className="card" data-testid="experiment-arms" data-state={state}>
        <h3>Arms</h3>
        <p className="muted small">
          Success with its 95% Wilson interval; latency and cost means with 95% intervals; the difference in success against the control
          with its always-valid {data ? (100 * (1 - data.comparisonAlpha)).toFixed(1) : ''}% interval (mSPRT confidence sequence) and
          always-valid p-value.
        </p>
        {state === 'loading' && <div className="chart-placeholder">Loading…</div>}
        {state === 'error' && <div className="chart-placeholder error">Could not load: {experiment.error?.message}</div>}
        {state === 'ready' && (
          <table className="data">
            <thead>
              <tr>
                <th>Arm</th>
                <th>Variant</th>
                <th className="num">Weight</th>
                <th className="num">Decisions</th>
                <th className="num">Outcomes</th>
                <th className="num">Success (95% CI)</th>
                <th className="num">Latency</th>
                <th className="num">Cost</th>
                <th className="num">vs control (CI)</th>
                <th className="num">p-value</th>
                <th>Guard</th>
                {canEdit && running && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-arm-id={row.id} data-arm-name={row.name} data-state={row.state} data-significance={row.significance}>
                  <td>
                    {row.name} {row.isControl && <span className="badge">control</span>}
                  </td>
                  <td>{row.variant}</td>
                  <td className="num">{row.weight}</td>
                  <td className="num" data-testid={`arm-decisions-${row.name}`}>
                    {row.decisions}
                  </td>
                  <td className="num" data-testid={`arm-outcomes-${row.name}`}>
                    {row.outcomes}
                  </td>
                  <td className="num" data-testid={`arm-success-${row.name}`}>
                    {row.success} <span className="muted small">({row.successCi})</span>
                  </td>
                  <td className="num">{row.latency}</td>
                  <td className="num">{row.cost}</td>
                  <td className="num">
                    {row.diff} {!row.isControl && <span className="muted small">({row.diffCi})</span>}
                  </td>
                  <td className="num">{row.pValue}</td>
                  <td>
                    {row.state === 'stopped' ? (
                      <span title={row.stopReason ?? undefined}>stopped{row.stopReason ? `: ${row.stopReason}` : ''}</span>
                    ) : (
                      '–'
                    )}
                  </td>
                  {canEdit && running && (
                    <td>
                      <button
                        type="button"
                        className="primary"
                        disabled={stop.isPending}
                        onClick={() => {
                          const what = row.isControl ? 'keep the rule as it is' : `apply "${row.variant}" to the rule (a new rule version)`;
                          if (window.confirm(`Promote arm "${row.name}": ${what}, and end the experiment?`))
                            stop.mutate({ id, promoteArmId: row.id });
                        }}
                      >
                        Promote
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canEdit && running && (
          <p style={{ marginTop: '0.75rem' }}>
            <button
              type="button"
              className="danger"
              disabled={stop.isPending}
              onClick={() => {
                if (window.confirm('Stop the experiment without changing the rule?')) stop.mutate({ id });
              }}
            >
              Stop experiment
            </button>
          </p>
        )}
      </section>
    </>
  );
}
