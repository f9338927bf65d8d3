import { handleRegressionTestDownload } from '@/server/rest/regression-test-download';

export const dynamic = 'force-dynamic';

export { handleRegressionTestDownload as GET };
