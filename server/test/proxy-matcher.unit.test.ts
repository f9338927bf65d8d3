import { unstable_doesMiddlewareMatch } from 'next/experimental/testing/server';
import { describe, expect, it } from 'vitest';
import { config } from '../../proxy';
import { appRoutePaths } from '../testing/app-routes';

const matches = (url: string) => unstable_doesMiddlewareMatch({ config, url });

describe("the proxy's matcher", () => {
  it('leaves out every API route (/api/*, /tools/*), with and without query strings', () => {
    const apiPaths = appRoutePaths().filter((route) => route.startsWith('/api/') || route.startsWith('/tools/'));
    expect(apiPaths).toEqual(expect.arrayContaining(['/api/mcp', '/api/openapi.json', '/api/trpc/sample', '/tools/sample']));
    for (const route of [...apiPaths, '/api/trpc/a,b?batch=1', '/tools/record_metric?x=1', '/api/no-such-route'])
      expect(matches(route), route).toBe(false);
  });

  it('leaves out static assets and the icon', () => {
    for (const asset of ['/_next/static/chunks/app.js', '/favicon.ico', '/icon.svg']) expect(matches(asset), asset).toBe(false);
  });

  it('covers every dashboard page, the sign-in form and the download route', () => {
    for (const page of ['/', '/models', '/bugs', '/bugs/1', '/heuristics', '/tests', '/metrics', '/sign-in', '/tests/download']) {
      expect(matches(page), page).toBe(true);
    }
  });
});
