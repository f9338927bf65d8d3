'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useFieldArray, useForm, useWatch } from 'react-hook-form';
import type { z } from 'zod';
import { ALL_RULES } from '@/app/_lib/view-inputs';
import { CreateExperimentInput, MAX_EXPERIMENT_ARMS } from '@/server/schemas/experiments';
import { ROUTING_LAYERS } from '@/server/schemas/routing';
import { useTRPC } from '../trpc/client';
import { Field } from './Field';
import { applyServerErrors } from './server-errors';

type ExperimentInput = z.input<typeof CreateExperimentInput>;
type ExperimentOutput = z.output<typeof CreateExperimentInput>;

const FIELDS = ['name', 'ruleId', 'taskType', 'arms', 'alpha', 'minOutcomes', 'guard'] as const;
const TREATMENT_KINDS = ['model', 'layer', 'policy'] as const;

const optionalNumber = (v: unknown) => (v === '' || v === null || v === undefined ? undefined : Number(v));
const optionalText = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const DEFAULTS: ExperimentInput = {
  name: '',
  ruleId: undefined as unknown as number,
  arms: [
    { name: 'control', weight: 1, variant: { kind: 'control' } },
    { name: 'B', weight: 1, variant: { kind: 'model', model: '' } },
  ],
  alpha: 0.025,
  minOutcomes: 100,
  guard: true,
};

/** The issue on an arm's field, wherever zod put it (the variant's own fields are nested). */
function armError(errors: unknown, index: number, ...path: string[]): string | undefined {
  let node = (errors as { arms?: unknown[] } | undefined)?.arms?.[index] as Record<string, unknown> | undefined;
  for (const key of path) node = node?.[key] as Record<string, unknown> | undefined;
  return (node as { message?: string } | undefined)?.message;
}

/**
 * Starts an experiment on an active rule: validated in the browser with the API's own schema; what only the server
 * knows (the rule is not active, a policy does not exist, another experiment runs on the rule) comes back as field issues.
 */
export function ExperimentForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const rules = useQuery(trpc.routing.listHeuristics.queryOptions(ALL_RULES));
  const create = useMutation(trpc.experiments.create.mutationOptions());
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<ExperimentInput, unknown, ExperimentOutput>({
    resolver: zodResolver(CreateExperimentInput),
    defaultValues: DEFAULTS,
    mode: 'onTouched',
    shouldUnregister: true,
  });
  const { fields, append, remove } = useFieldArray({ control, name: 'arms' });
  const kinds = useWatch({ control, name: fields.map((_, index) => `arms.${index}.variant.kind` as const) });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const experiment = await create.mutateAsync(values);
      await queryClient.invalidateQueries({ queryKey: trpc.experiments.pathKey() });
      router.push(`/experiments/${experiment.id}`);
    } catch (error) {
      const issues = (error as { data?: { issues?: { path: (string | number)[] }[] } }).data?.issues ?? [];
      const message = applyServerErrors(error as Parameters<typeof applyServerErrors>[0], FIELDS, setError);
      // Issues on an arm's field are shown at the form level too, with their path (the nested fields are many).
      setFormError(message ?? (issues.some((issue) => issue.path[0] === 'arms') ? (error as Error).message : null));
    }
  });

  const activeRules = (rules.data ?? []).filter((rule) => rule.state === 'active');
  return (
    <form className="rule-form" onSubmit={(event) => void onSubmit(event)} noValidate data-testid="experiment-form">
      <Field label="Name" name="name" inputId="experiment-name" error={errors.name?.message} className="wide">
        <input id="experiment-name" {...register('name')} aria-invalid={!!errors.name} placeholder="e.g. Sonnet for refactoring" />
      </Field>
      <Field label="Rule" name="ruleId" inputId="experiment-rule" error={errors.ruleId?.message}>
        <select id="experiment-rule" {...register('ruleId', { setValueAs: optionalNumber })} aria-invalid={!!errors.ruleId}>
          <option value="">Choose an active rule…</option>
          {activeRules.map((rule) => (
            <option key={rule.id} value={rule.id}>
              #{rule.id} /{rule.pattern}/ → {rule.preferredLayer}
              {rule.preferredModel ? ` / ${rule.preferredModel}` : ''}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Task type (optional: all)" name="taskType" inputId="experiment-task-type" error={errors.taskType?.message}>
        <input id="experiment-task-type" {...register('taskType', { setValueAs: optionalText })} aria-invalid={!!errors.taskType} />
      </Field>
      <Field label="Alpha (false-positive rate)" name="alpha" inputId="experiment-alpha" error={errors.alpha?.message}>
        <input
          id="experiment-alpha"
          type="number"
          step="any"
          {...register('alpha', { setValueAs: optionalNumber })}
          aria-invalid={!!errors.alpha}
        />
      </Field>
      <Field
        label="Outcomes per arm before a verdict"
        name="minOutcomes"
        inputId="experiment-min-outcomes"
        error={errors.minOutcomes?.message}
      >
        <input
          id="experiment-min-outcomes"
          type="number"
          step={1}
          {...register('minOutcomes', { setValueAs: optionalNumber })}
          aria-invalid={!!errors.minOutcomes}
        />
      </Field>
      <div className="field">
        <label>
          <input type="checkbox" {...register('guard')} /> Guard: stop an arm significantly worse than the control
        </label>
      </div>

      <fieldset className="wide" data-testid="experiment-arms">
        <legend>Arms (the first is the control: the rule as it is)</legend>
        {errors.arms?.message && (
          <div className="field-error" role="alert" data-error-for="arms">
            {errors.arms.message}
          </div>
        )}
        {fields.map((field, index) => {
          const kind = kinds[index];
          const prefix = `experiment-arm-${index}`;
          return (
            <div
              key={field.id}
              className="arm-fields"
              data-arm-index={index}
              style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'end' }}
            >
              <Field label="Arm name" name={`arms.${index}.name`} inputId={`${prefix}-name`} error={armError(errors, index, 'name')}>
                <input id={`${prefix}-name`} {...register(`arms.${index}.name`)} />
              </Field>
              <Field label="Weight" name={`arms.${index}.weight`} inputId={`${prefix}-weight`} error={armError(errors, index, 'weight')}>
                <input
                  id={`${prefix}-weight`}
                  type="number"
                  step="any"
                  style={{ width: '5rem' }}
                  {...register(`arms.${index}.weight`, { setValueAs: optionalNumber })}
                />
              </Field>
              {index === 0 ? (
                <input type="hidden" {...register('arms.0.variant.kind')} />
              ) : (
                <Field
                  label="Variant"
                  name={`arms.${index}.variant.kind`}
                  inputId={`${prefix}-kind`}
                  error={armError(errors, index, 'variant', 'kind')}
                >
                  <select id={`${prefix}-kind`} {...register(`arms.${index}.variant.kind`)}>
                    {TREATMENT_KINDS.map((value) => (
                      <option key={value} value={value}>
                        {value}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              {kind === 'layer' && (
                <Field
                  label="Layer"
                  name={`arms.${index}.variant.layer`}
                  inputId={`${prefix}-layer`}
                  error={armError(errors, index, 'variant', 'layer')}
                >
                  <select id={`${prefix}-layer`} {...register(`arms.${index}.variant.layer`)}>
                    {ROUTING_LAYERS.map((layer) => (
                      <option key={layer} value={layer}>
                        {layer}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              {(kind === 'model' || kind === 'layer') && (
                <Field
                  label={kind === 'layer' ? 'Model (optional)' : 'Model'}
                  name={`arms.${index}.variant.model`}
                  inputId={`${prefix}-model`}
                  error={armError(errors, index, 'variant', 'model')}
                >
                  <input
                    id={`${prefix}-model`}
                    {...register(`arms.${index}.variant.model`, kind === 'layer' ? { setValueAs: optionalText } : {})}
                    placeholder="e.g. claude-sonnet-4"
                  />
                </Field>
              )}
              {kind === 'policy' && (
                <Field
                  label="Policy id"
                  name={`arms.${index}.variant.policyId`}
                  inputId={`${prefix}-policy`}
                  error={armError(errors, index, 'variant', 'policyId')}
                >
                  <input
                    id={`${prefix}-policy`}
                    type="number"
                    step={1}
                    {...register(`arms.${index}.variant.policyId`, { setValueAs: optionalNumber })}
                  />
                </Field>
              )}
              {index >= 2 && (
                <button type="button" className="secondary" onClick={() => remove(index)} aria-label={`Remove arm ${index}`}>
                  Remove
                </button>
              )}
            </div>
          );
        })}
        {fields.length < MAX_EXPERIMENT_ARMS && (
          <button
            type="button"
            className="secondary"
            onClick={() => append({ name: String.fromCharCode(65 + fields.length), weight: 1, variant: { kind: 'model', model: '' } })}
          >
            Add an arm
          </button>
        )}
      </fieldset>
      <div className="wide" style={{ display: 'flex', gap: '0.75rem', alignItems: 'center' }}>
        <button type="submit" className="primary" disabled={isSubmitting}>
          Start experiment
        </button>
        {formError && (
          <span className="form-error" role="alert">
            {formError}
          </span>
        )}
      </div>
    </form>
  );
}
