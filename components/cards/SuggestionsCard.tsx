'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { IsoRange } from '@/app/_lib/range';
import { suggestionsInput } from '@/app/_lib/view-inputs';
import { ChartCard, chartState } from '../charts/ChartCard';
import { suggestionsView } from '../charts/prepare/suggestions';
import { useTRPC } from '../trpc/client';

/**
 * suggest_routing_changes over the page's range: kind, title, evidence, n and interval per suggestion, and (with a
 * write key) its two actions through apply_routing_suggestion.
 */
export function SuggestionsCard({ range, canEdit }: { range: IsoRange; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = suggestionsInput(range);
  const suggestions = useQuery(trpc.routing.suggestions.queryOptions(input));
  const view = useMemo(() => suggestionsView(suggestions.data), [suggestions.data]);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const apply = useMutation(
    trpc.routing.applySuggestion.mutationOptions({
      onSuccess: (result) =>
        setMessage({
          error: false,
          text:
            result.applied === 'shadow_rule'
              ? `Rule #${result.rule.id} /${result.rule.pattern}/ saved as a shadow rule (version ${result.rule.version}).`
              : `Experiment started for rule #${result.suggestion.ruleId}.`,
        }),
      onError: (e) => setMessage({ error: true, text: e.message }),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.routing.pathKey() }),
    }),
  );

  return (
    <ChartCard
      title="Suggestions"
      subtitle={`From measured outcomes and model calls in the range, never from fewer than ${suggestions.data?.minOutcomes ?? 30} outcomes; best first.`}
      testId="suggestions-card"
      state={chartState(suggestions, view.rows.length === 0)}
      seriesCount={view.rows.length}
      error={suggestions.error?.message}
      emptyText={view.skippedNote ? `No suggestion. ${view.skippedNote}` : 'No suggestion: nothing measured calls for a change.'}
    >
      {message && (
        <p className={message.error ? 'form-error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="suggestion-result">
          {message.text}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Kind</th>
            <th>Suggestion</th>
            <th className="num">n</th>
            <th className="num">95% interval</th>
            {canEdit && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {view.rows.map((row) => (
            <tr key={row.id} data-testid="suggestion" data-kind={row.kind} data-id={row.id}>
              <td>
                <span className="badge">{row.kindLabel}</span>
              </td>
              <td>
                <strong>{row.title}</strong>
                <div className="muted small">{row.evidence}</div>
              </td>
              <td className="num">{row.sampleSize}</td>
              <td className="num">{row.interval}</td>
              {canEdit && (
                <td>
                  {row.shadow && (
                    <button
                      type="button"
                      className="secondary"
                      title={row.shadow.hint}
                      disabled={apply.isPending}
                      onClick={() => apply.mutate({ ...input, id: row.id, as: 'shadow_rule' })}
                    >
                      {row.shadow.label}
                    </button>
                  )}{' '}
                  {row.experiment && (
                    <button
                      type="button"
                      className="secondary"
                      title={row.experiment.hint}
                      disabled={apply.isPending}
                      onClick={() => apply.mutate({ ...input, id: row.id, as: 'experiment' })}
                    >
                      Start experiment
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {view.skippedNote && <p className="muted small">{view.skippedNote}</p>}
    </ChartCard>
  );
}
