import { describe, expect, it } from 'vitest';
import { HoneError } from '../errors';
import { getBugPatternsTool } from '../tools/bug-patterns';
import { parseToolInput } from '../tools/pipeline';
import { getModelTrendsTool } from '../tools/model-performance';
import { inputFromQuery } from './query-input';

const query = (text: string) => new URLSearchParams(text);

describe('inputFromQuery', () => {
  it('converts exact spellings to the schema types and repeats to arrays', () => {
    expect(inputFromQuery(getBugPatternsTool, query('limit=20&category=timeout'))).toEqual({ limit: 20, category: 'timeout' });
    expect(inputFromQuery(getModelTrendsTool, query('modelIds=a&modelIds=b'))).toEqual({ modelIds: ['a', 'b'] });
  });

  // Assigned, `?__proto__=x` was dropped without a word while a JSON body's __proto__ is refused. (Next.js drops such a
  // parameter itself before a route handler runs today; this keeps the query face right whatever hands it the URL.)
  it('keeps __proto__ as an own key, so it is refused by name as in a JSON body', () => {
    const input = inputFromQuery(getBugPatternsTool, query('__proto__=x&limit=5'));
    expect(Object.keys(input)).toEqual(['__proto__', 'limit']);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    const refusal = (() => {
      try {
        parseToolInput(getBugPatternsTool, input);
      } catch (error) {
        return error as HoneError;
      }
      return expect.fail('a __proto__ parameter should be refused');
    })();
    expect(refusal.code).toBe('BAD_REQUEST');
    expect(refusal.issues).toEqual([{ path: ['__proto__'], message: 'key "__proto__" is not allowed' }]);
  });
});
