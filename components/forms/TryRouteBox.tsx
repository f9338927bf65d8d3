'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc/client';
import { ROUTING_LAYERS, type RoutingLayerValue } from '@/server/schemas/routing';
import { compilePattern } from '../../server/services/routing/matcher';
import { draftVerdict, type DraftRule } from './draft-rule';
import { ReplayRuleResult } from './ReplayRuleResult';

/**
 * Type a sample input and see which active rule would route it (preview_route: read-only, not counted).
 * With `draft` (the rule being written in the form), also says what that rule would do once saved.
 * `priorities` maps saved rule ids to their priority. "Replay this rule" runs the draft over the sampled decisions of
 * the last 7 days (replay_routing_rule).
 */
export function TryRouteBox({ draft, priorities }: { draft?: DraftRule; priorities?: ReadonlyMap<number, number> }) {
  const trpc = useTRPC();
  const [input, setInput] = useState('');
  const [taskType, setTaskType] = useState('');
  const [submitted, setSubmitted] = useState<{ input: string; taskType?: string } | null>(null);
  const [replayed, setReplayed] = useState<ReplayableDraft | null>(null);
  const replayable = draft ? replayableDraft(draft) : null;
  const preview = useQuery({ ...trpc.routing.preview.queryOptions(submitted ?? { input: '' }), enabled: submitted !== null });
  const decision = preview.data;
  const tried = submitted?.input ?? '';
  const verdict =
    decision && draft?.pattern
      ? draftVerdict(
          draft,
          tried,
          decision.ruleId === null ? null : { ruleId: decision.ruleId, priority: priorities?.get(decision.ruleId) ?? 0 },
        )
      : null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted({ input, ...(taskType.trim() && { taskType: taskType.trim() }) });
      }}
      data-testid="try-route"
    >
      <div className="field">
        <label htmlFor="try-input">Sample request</label>
        <textarea
          id="try-input"
          rows={3}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          placeholder="Please implement a sorting algorithm in Rust"
        />
      </div>
      <div style={{ display: 'flex', gap: '0.5rem', marginTop: '0.5rem', alignItems: 'center' }}>
        <input
          aria-label="Task type (optional)"
          placeholder="task type (optional)"
          value={taskType}
          onChange={(e) => setTaskType(e.target.value)}
        />
        <button type="submit" className="primary" disabled={preview.isFetching}>
          Try it
        </button>
        {replayable && (
          <button type="button" className="secondary" onClick={() => setReplayed(replayable)} data-testid="replay-rule">
            Replay this rule
          </button>
        )}
      </div>
      {preview.isError && (
        <p className="form-error" role="alert">
          {preview.error.message}
        </p>
      )}
      {decision && (
        <div className="try-result" data-testid="try-result" data-rule-id={decision.ruleId ?? ''} role="status">
          {decision.ruleId !== null ? (
            <>
              Rule <strong>#{decision.ruleId}</strong> <code>/{decision.pattern}/</code> matches → layer <strong>{decision.layer}</strong>
              {decision.model && (
                <>
                  , model <strong>{decision.model}</strong>
                </>
              )}
            </>
          ) : (
            <>
              No active rule matches → default layer <strong>{decision.layer}</strong>
            </>
          )}
          {verdict && (
            <div data-testid="try-draft">
              Your unsaved rule <code>/{draft!.pattern}/</code>:{' '}
              {verdict.kind === 'would-win' && (
                <>
                  would match first → layer <strong>{verdict.layer}</strong>
                  {verdict.model && (
                    <>
                      , model <strong>{verdict.model}</strong>
                    </>
                  )}
                  {verdict.policy && (
                    <>
                      , model chosen by the adaptive policy <strong>{verdict.policy}</strong>
                    </>
                  )}
                </>
              )}
              {verdict.kind === 'shadowed' && (
                <>
                  matches, but rule #{verdict.byRuleId} (priority {verdict.byPriority}) is checked before it
                </>
              )}
              {verdict.kind === 'no-match' && <>does not match this input</>}
              {verdict.kind === 'invalid' && <>does not compile</>}
            </div>
          )}
          <div className="muted small">Dry run: not counted as a routing decision.</div>
        </div>
      )}
      {replayed && <ReplayRuleResult input={replayed} />}
    </form>
  );
}

type ReplayableDraft = { pattern: string; preferredLayer: RoutingLayerValue; preferredModel?: string; priority?: number };

/** The draft as replay_routing_rule takes it, or null while it is not a rule the engine could run. */
function replayableDraft(draft: DraftRule): ReplayableDraft | null {
  const layer = ROUTING_LAYERS.find((l) => l === draft.preferredLayer);
  if (!draft.pattern || !layer || !compilePattern(draft.pattern).ok) return null;
  return {
    pattern: draft.pattern,
    preferredLayer: layer,
    ...(draft.preferredModel?.trim() && { preferredModel: draft.preferredModel.trim() }),
    ...(draft.priority !== undefined && Number.isInteger(draft.priority) && { priority: draft.priority }),
  };
}
