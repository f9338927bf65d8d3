// The dashboard's browser views call the same /api/trpc as the gateway. They say so in a header, so that their
// periodic refreshes are counted under the dashboard face and the tRPC face shows the gateway's traffic alone.
// Whatever a client sends there only picks one of the two faces: it never becomes a label of its own.
import type { Face } from './metrics';

export const TRPC_SOURCE_HEADER = 'x-trpc-source';
export const DASHBOARD_TRPC_SOURCE = 'dashboard';

export function faceOfTrpcRequest(headers: Headers): Extract<Face, 'trpc' | 'dashboard'> {
  return headers.get(TRPC_SOURCE_HEADER) === DASHBOARD_TRPC_SOURCE ? 'dashboard' : 'trpc';
}
