import { describe, expect, it } from 'vitest';
import { newDecisionId } from '../../packages/client/src/routing/decision-id.js';
import { decisionId } from '../schemas/routing';

describe('newDecisionId', () => {
  it('makes UUIDv7 ids that sort in the order they were made, many to a millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newDecisionId());
    expect(new Set(ids).size).toBe(ids.length);
    // PostgreSQL orders uuid values by their bytes: the same order as their lower-case hex text.
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 100)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(decisionId.parse(id)).toBe(id);
    }
    // The first 48 bits are the time in milliseconds.
    const ms = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });
});
