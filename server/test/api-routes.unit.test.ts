import { describe, expect, it } from 'vitest';
import { apiHandlerFor } from '../http/api-routes';
import { appRoutePaths } from '../testing/app-routes';

describe('the API routes answered ahead of Next (server/http/front-door.ts)', () => {
  it('are the faces, each also a route file (which `next dev` serves)', () => {
    const faces = ['/api/mcp', '/api/openapi.json', '/api/routing/events', '/api/routing/snapshot', '/api/trpc/sample', '/tools/sample'];
    expect(
      appRoutePaths()
        .filter((route) => apiHandlerFor(route))
        .sort(),
    ).toEqual(faces.sort());
    for (const route of ['/api/trpc/routing.resolve', '/api/trpc/a,b', '/tools/record_metric'])
      expect(apiHandlerFor(route), route).toBeDefined();
  });

  it('leave the dashboard, the download route and any other path to Next', () => {
    for (const route of [
      '/',
      '/models',
      '/sign-in',
      '/tests/download',
      '/tools',
      '/tools/',
      '/tools/a/b',
      '/api/trpc',
      '/api/trpc/',
      '/api/other',
    ])
      expect(apiHandlerFor(route), route).toBeUndefined();
  });
});
