import { ToolTable } from '@/components/ToolTable';
import { tools } from '@/server/tools/registry';

export default function HomePage() {
  return (
    <main>
      <h1>Hone</h1>
      <p>
        The self-improvement service of the LLM gateway: model performance, bug patterns, regression tests, metrics and
        routing heuristics. The gateway calls it through tRPC at <code>/api/trpc</code>.
      </p>
      <h2>Operations</h2>
      <ToolTable tools={tools} />
    </main>
  );
}
