import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { RecordMetricInput } from '../schemas/metrics';

export interface MetricDto {
  id: number;
  name: string;
  value: number;
  unit: string;
  context: Record<string, unknown>;
  recordedAt: string;
}

export async function recordMetric(prisma: PrismaClient, input: z.output<typeof RecordMetricInput>): Promise<MetricDto> {
  const row = await prisma.performanceMetric.create({
    data: {
      metricName: input.name,
      metricValue: input.value,
      metricUnit: input.unit,
      context: input.context as object,
      ...(input.recordedAt && { recordedAt: new Date(input.recordedAt) }),
    },
  });
  return {
    id: Number(row.id),
    name: row.metricName,
    value: row.metricValue,
    unit: row.metricUnit,
    context: row.context as Record<string, unknown>,
    recordedAt: row.recordedAt.toISOString(),
  };
}
