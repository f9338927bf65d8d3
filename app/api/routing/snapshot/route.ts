import { handleRoutingSnapshotRequest } from '@/server/http/routing-sync';

export const dynamic = 'force-dynamic';

// Every method reaches the handler, which answers all but GET and HEAD with 405 and `Allow`.
export {
  handleRoutingSnapshotRequest as GET,
  handleRoutingSnapshotRequest as HEAD,
  handleRoutingSnapshotRequest as POST,
  handleRoutingSnapshotRequest as PUT,
  handleRoutingSnapshotRequest as PATCH,
  handleRoutingSnapshotRequest as DELETE,
};
