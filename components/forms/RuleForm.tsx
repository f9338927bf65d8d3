'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import type { z } from 'zod';
import { MAX_PATTERN_LENGTH, ROUTING_LAYERS, ROUTING_RULE_STATES, SaveRoutingRuleFields } from '@/server/schemas/routing';
import type { RoutingRuleWarning } from '@/server/services/routing/check-rules';
import type { RoutingRuleDto } from '@/server/services/routing/rule-dto';
import { useTRPC } from '../trpc/client';
import type { DraftRule } from './draft-rule';
import { Field } from './Field';
import { RuleWarnings } from './RuleWarnings';
import { applyServerErrors } from './server-errors';
import { useDebouncedValue } from './use-debounced-value';
import { useRoutingPolicies } from './use-routing-policies';

/**
 * The API's own fields, less those the form does not edit (free-form metadata, the usage counter) and the spec's
 * `active` flag: the form sets the state, which says all `active` says and shadow besides.
 */
const RuleFormSchema = SaveRoutingRuleFields.omit({ metadata: true, usageCount: true, active: true });
type RuleInput = z.input<typeof RuleFormSchema>;
type RuleOutput = z.output<typeof RuleFormSchema>;

const FIELDS = ['id', 'pattern', 'preferredLayer', 'preferredModel', 'policyId', 'priority', 'successRate', 'reasoning', 'state'] as const;

/** Empty text means "not given" for optional numbers and text. */
const optionalNumber = (v: unknown) => (v === '' || v === null || v === undefined ? undefined : Number(v));
const optionalText = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const STATE_LABELS = {
  active: 'active (decides)',
  shadow: 'shadow (counted, never decides)',
  inactive: 'inactive',
} as const;

/** How long typing pauses before the rule is checked as written. */
const CHECK_DELAY_MS = 400;

function defaultsOf(rule: RoutingRuleDto | null): RuleInput {
  if (!rule) return { pattern: '', preferredLayer: 'balanced', state: 'active', priority: 0 };
  return {
    id: rule.id,
    pattern: rule.pattern,
    preferredLayer: rule.preferredLayer,
    preferredModel: rule.preferredModel,
    ...(rule.policyId !== null && { policyId: rule.policyId }),
    priority: rule.priority,
    state: rule.state,
    ...(rule.successRate !== null && { successRate: rule.successRate }),
    ...(rule.reasoning !== null && { reasoning: rule.reasoning }),
  };
}

/**
 * Create a rule, or edit one (by id, so its pattern can change). Validated in the browser with the
 * very schema the API validates with; what only the server can check (a taken
 * pattern) comes back as field issues and is shown on the field.
 */
export function RuleForm({
  rule,
  onDone,
  onDraftChange,
}: {
  rule: RoutingRuleDto | null;
  onDone?: () => void;
  onDraftChange?: (draft: DraftRule) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [savedWarnings, setSavedWarnings] = useState<readonly RoutingRuleWarning[]>([]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    control,
    formState: { errors, isSubmitting },
  } = useForm<RuleInput, unknown, RuleOutput>({
    resolver: zodResolver(RuleFormSchema),
    defaultValues: defaultsOf(rule),
    mode: 'onTouched',
  });
  const [pattern, preferredLayer, preferredModel, policyId, priority, state] = useWatch({
    control,
    name: ['pattern', 'preferredLayer', 'preferredModel', 'policyId', 'priority', 'state'],
  });
  // The policies a rule can name (save_routing_policy); their parameters come along, the picker reads names only.
  const { policies, nameOf } = useRoutingPolicies();
  const policyName = policyId == null ? null : nameOf(policyId);
  useEffect(() => {
    onDraftChange?.({
      pattern: pattern ?? '',
      preferredLayer: preferredLayer ?? 'balanced',
      preferredModel,
      policy: policyName,
      priority: Number.isFinite(Number(priority)) ? Number(priority) : 0,
    });
  }, [onDraftChange, pattern, preferredLayer, preferredModel, policyName, priority]);
  const save = useMutation(trpc.routing.updateHeuristic.mutationOptions());
  const editing = rule !== null;

  // The rule as written, checked in place among the stored rules once typing pauses. A pattern the engine refuses is
  // already shown on its field, so that warning is left out here.
  const candidate = useMemo(() => {
    const text = pattern ?? '';
    if (text.length === 0 || text.length > MAX_PATTERN_LENGTH) return null;
    const priorityNumber = Number(priority);
    return {
      ...(rule && { id: rule.id }),
      pattern: text,
      ...(preferredLayer && { preferredLayer }),
      ...(typeof preferredModel === 'string' && preferredModel.trim() !== '' && { preferredModel: preferredModel.trim() }),
      ...(Number.isInteger(priorityNumber) && Math.abs(priorityNumber) <= 1_000_000 && { priority: priorityNumber }),
      ...(state && { state }),
    };
  }, [rule, pattern, preferredLayer, preferredModel, priority, state]);
  const checkedCandidate = useDebouncedValue(candidate, CHECK_DELAY_MS);
  const check = useQuery({
    ...trpc.routing.checkRules.queryOptions({ candidate: checkedCandidate ?? undefined }),
    enabled: checkedCandidate !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const liveWarnings = candidate !== null && check.data ? check.data.warnings.filter((warning) => warning.kind !== 'unusable') : [];
  const prefix = editing ? `edit-${rule.id}` : 'new';

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    setSaved(null);
    setSavedWarnings([]);
    try {
      // An emptied model field, or "no policy", clears that of an existing rule.
      const input = editing ? { ...values, preferredModel: values.preferredModel ?? null, policyId: values.policyId ?? null } : values;
      const { heuristic, warnings } = await save.mutateAsync(input);
      await queryClient.invalidateQueries({ queryKey: trpc.routing.pathKey() });
      setSaved(`Saved rule #${heuristic.id} /${heuristic.pattern}/${warnings.length > 0 ? ', with warnings' : ''}.`);
      setSavedWarnings(warnings);
      if (!editing) reset(defaultsOf(null));
      // An edit form closes on save, unless it has warnings to show.
      if (!editing || warnings.length === 0) onDone?.();
    } catch (error) {
      setFormError(applyServerErrors(error as Parameters<typeof applyServerErrors>[0], FIELDS, setError));
    }
  });

  // Ids unique per form: the new-rule form and an edit form can be on the page together.
  const id = (name: string) => `${prefix}-${name}`;
  return (
    <form className="rule-form" onSubmit={(event) => void onSubmit(event)} noValidate data-testid={`rule-form-${prefix}`}>
      <Field
        label="Pattern (JavaScript regular expression)"
        name="pattern"
        inputId={id('pattern')}
        error={errors.pattern?.message}
        className="wide"
      >
        <input
          id={id('pattern')}
          {...register('pattern')}
          aria-invalid={!!errors.pattern}
          placeholder="e.g. \b(refactor|migrate)\b"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <Field label="Layer" name="preferredLayer" inputId={id('preferredLayer')} error={errors.preferredLayer?.message}>
        <select id={id('preferredLayer')} {...register('preferredLayer')} aria-invalid={!!errors.preferredLayer}>
          {ROUTING_LAYERS.map((layer) => (
            <option key={layer} value={layer}>
              {layer}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Model (optional)" name="preferredModel" inputId={id('preferredModel')} error={errors.preferredModel?.message}>
        <input
          id={id('preferredModel')}
          {...register('preferredModel', { setValueAs: optionalText })}
          aria-invalid={!!errors.preferredModel}
          placeholder="e.g. claude-sonnet-4"
        />
      </Field>
      <Field
        label="Adaptive policy (optional, wins over the model)"
        name="policyId"
        inputId={id('policyId')}
        error={errors.policyId?.message ?? policies.error?.message}
      >
        {/* Controlled, so a rule being edited shows its policy once the list has loaded. */}
        <Controller
          control={control}
          name="policyId"
          render={({ field }) => (
            <select
              id={id('policyId')}
              name={field.name}
              ref={field.ref}
              value={field.value == null ? '' : String(field.value)}
              onChange={(event) => field.onChange(optionalNumber(event.target.value))}
              onBlur={field.onBlur}
              aria-invalid={!!errors.policyId}
            >
              <option value="">none: the model above, else the layer&apos;s</option>
              {!policies.data && field.value != null && <option value={String(field.value)}>policy #{field.value}</option>}
              {policies.data?.policies.map((policy) => (
                <option key={policy.id} value={String(policy.id)}>
                  {policy.name}: {policy.candidates.join(', ')}
                  {policy.enabled ? '' : ' (disabled)'}
                </option>
              ))}
            </select>
          )}
        />
      </Field>
      <Field label="Priority (higher first)" name="priority" inputId={id('priority')} error={errors.priority?.message}>
        <input
          id={id('priority')}
          type="number"
          step={1}
          {...register('priority', { setValueAs: optionalNumber })}
          aria-invalid={!!errors.priority}
        />
      </Field>
      <Field label="Success rate % (0–100)" name="successRate" inputId={id('successRate')} error={errors.successRate?.message}>
        <input
          id={id('successRate')}
          type="number"
          step="any"
          {...register('successRate', { setValueAs: optionalNumber })}
          aria-invalid={!!errors.successRate}
        />
      </Field>
      <Field label="Reasoning" name="reasoning" inputId={id('reasoning')} error={errors.reasoning?.message} className="wide">
        <input
          id={id('reasoning')}
          {...register('reasoning', { setValueAs: (v: unknown) => (editing ? v : optionalText(v)) })}
          aria-invalid={!!errors.reasoning}
          placeholder="Why this rule exists"
        />
      </Field>
      <Field label="State" name="state" inputId={id('state')} error={errors.state?.message}>
        <select id={id('state')} {...register('state')} aria-invalid={!!errors.state}>
          {ROUTING_RULE_STATES.map((value) => (
            <option key={value} value={value}>
              {STATE_LABELS[value]}
            </option>
          ))}
        </select>
      </Field>
      <div className="wide" style={{ display: 'flex', gap: '0.75rem', alignItems: 'center' }}>
        <button type="submit" className="primary" disabled={isSubmitting}>
          {editing ? 'Save changes' : 'Create rule'}
        </button>
        {editing && (
          <button type="button" className="secondary" onClick={onDone}>
            {saved ? 'Close' : 'Cancel'}
          </button>
        )}
        {formError && (
          <span className="form-error" role="alert">
            {formError}
          </span>
        )}
        {saved && (
          <span className="form-ok" role="status">
            {saved}
          </span>
        )}
      </div>
      {/* Until a next rule is begun: the form is emptied on save (isDirty is no guide, the state select keeps it set). */}
      {!editing && (pattern ?? '') === '' && (
        <RuleWarnings warnings={savedWarnings} title="Saved, with warnings:" testId={`rule-warnings-saved-${prefix}`} />
      )}
      <RuleWarnings
        warnings={liveWarnings}
        title={editing ? 'Checks of this rule as edited:' : 'Checks of this rule as written:'}
        testId={`rule-warnings-${prefix}`}
      />
    </form>
  );
}
