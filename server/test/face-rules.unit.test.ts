import { describe, expect, it, vi } from 'vitest';
import { safeNextPath } from '../auth/next-path';
import { clientAddress, createSignInLimiter } from '../auth/sign-in-limit';
import { asHoneError, INTERNAL_ERROR_MESSAGE } from '../error-mapping';
import { HoneError } from '../errors';
import { checkHostAndOrigin } from '../http/host-origin';
import { CLIENT_ADDRESS_HEADER } from '../http/methods';
import { openApiDocumentJson } from '../rest/openapi';
import { rawInputIssues } from '../tools/input-guards';

describe('where sign-in may send you next', () => {
  it('keeps a path of this site, normalised', () => {
    expect(safeNextPath('/heuristics')).toBe('/heuristics');
    expect(safeNextPath('/models?range=30d&taskType=coding#top')).toBe('/models?range=30d&taskType=coding#top');
  });

  it('sends anything that leaves the site, or is not a path, to /', () => {
    for (const next of [
      '/\\evil.example',
      '/\t/evil.example',
      '//evil',
      'https://evil',
      '/\\/evil',
      '\\\\evil',
      'javascript:alert(1)',
      '',
      undefined,
      ['/a', '/b'],
      '/\n/evil.example',
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBe('/');
    }
  });

  it('refuses a next with a control character (a newline reached the Location header: 500)', () => {
    expect(safeNextPath('/models\r\nSet-Cookie: x=1')).toBe('/');
    expect(safeNextPath('/models\u007f')).toBe('/');
  });
});

describe('the sign-in limit', () => {
  it('allows 10 failed attempts per address per minute, then asks to wait', () => {
    const limiter = createSignInLimiter();
    const start = 1_000_000;
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(limiter.retryAfterSeconds('10.0.0.1', start + attempt)).toBe(0);
      limiter.recordFailure('10.0.0.1', start + attempt);
    }
    expect(limiter.retryAfterSeconds('10.0.0.1', start + 10)).toBe(60);
    expect(limiter.retryAfterSeconds('10.0.0.2', start + 10)).toBe(0);
    expect(limiter.retryAfterSeconds('10.0.0.1', start + 60_001)).toBe(0);
  });

  it('counts each address alone: many addresses failing do not lock out another', () => {
    const limiter = createSignInLimiter();
    for (let attempt = 0; attempt < 1_000; attempt++) limiter.recordFailure(`10.0.${attempt >> 8}.${attempt & 255}`, 5_000);
    expect(limiter.retryAfterSeconds('10.9.9.9', 5_001)).toBe(0);
  });

  it('takes the address from the connection, not from X-Forwarded-For', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.9', [CLIENT_ADDRESS_HEADER]: '127.0.0.1' }))).toBe('127.0.0.1');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.9' }))).toBe('unknown');
  });
});

describe('the host and origin rule', () => {
  const request = (headers: Record<string, string>, url = 'http://localhost:3000/tools/x') => ({ headers: new Headers(headers), url });
  const refused = (headers: Record<string, string>, allowed: string[] = []) => {
    try {
      checkHostAndOrigin(request(headers), allowed);
      return null;
    } catch (error) {
      return (error as HoneError).code;
    }
  };

  it('accepts loopback hosts and the request own origin', () => {
    expect(refused({ host: 'localhost:3000' })).toBeNull();
    expect(refused({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' })).toBeNull();
    expect(refused({ host: '[::1]:3000' })).toBeNull();
  });

  it('refuses a rebound host, even with a matching Origin', () => {
    expect(refused({ host: 'rebind.example:3996', origin: 'http://rebind.example:3996' })).toBe('FORBIDDEN');
    expect(refused({ host: 'localhost:3000', 'x-forwarded-host': 'rebind.example' })).toBe('FORBIDDEN');
  });

  it('treats a loopback page on another port, or another scheme, as another origin', () => {
    expect(refused({ host: 'localhost:3000', origin: 'http://localhost:8081' })).toBe('FORBIDDEN');
    expect(refused({ host: 'localhost:3000', origin: 'https://localhost:3000' })).toBe('FORBIDDEN');
    expect(refused({ host: 'localhost:3000', origin: 'null' })).toBe('FORBIDDEN');
  });

  it('accepts hosts and origins listed in HONE_ALLOWED_HOSTS', () => {
    expect(refused({ host: 'hone.internal:8443', origin: 'https://gateway.internal' }, ['hone.internal', 'gateway.internal'])).toBeNull();
    expect(refused({ host: 'hone.internal:8443' }, ['hone.internal:9000'])).toBe('FORBIDDEN');
  });
});

describe('errors on the wire', () => {
  it('logs an unexpected error once, with where it happened, and says nothing of it', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const mapped = asHoneError(new Error('Invalid `prisma.modelPerformance.findMany()` invocation: Code 22021'), 'get_model_trends');
    expect(mapped).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_ERROR_MESSAGE });
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]![0])).toContain('get_model_trends');
    const known = new HoneError('CONFLICT', 'taken');
    expect(asHoneError(known, 'x')).toBe(known);
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });
});

describe('the raw-input guard', () => {
  it('names __proto__ keys and U+0000 wherever they are', () => {
    const issues = rawInputIssues(JSON.parse('{"metadata":{"__proto__":{"x":1}},"name":"a\\u0000b","list":["ok","\\u0000"]}'));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: ['metadata', '__proto__'], message: expect.any(String) },
        { path: ['name'], message: expect.any(String) },
        { path: ['list', 1], message: expect.any(String) },
      ]),
    );
    expect(rawInputIssues({ fine: ['a', 1, null, { b: true }] })).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('is built once per process, with a relative server URL', () => {
    const first = openApiDocumentJson();
    expect(openApiDocumentJson()).toBe(first);
    expect(JSON.parse(first).servers).toEqual([{ url: '/' }]);
  });
});
