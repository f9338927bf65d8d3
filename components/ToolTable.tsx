import type { Tool } from '@/server/tools/define';

export function ToolTable({ tools }: { tools: readonly Pick<Tool, 'name' | 'description' | 'readOnly'>[] }) {
  return (
    <table style={{ borderCollapse: 'collapse', width: '100%' }}>
      <thead>
        <tr style={{ textAlign: 'left', borderBottom: '1px solid #d1d5db' }}>
          <th style={{ padding: '0.4rem' }}>Tool</th>
          <th style={{ padding: '0.4rem' }}>Kind</th>
          <th style={{ padding: '0.4rem' }}>What it does</th>
        </tr>
      </thead>
      <tbody>
        {tools.map((tool) => (
          <tr key={tool.name} style={{ borderBottom: '1px solid #e5e7eb', verticalAlign: 'top' }}>
            <td style={{ padding: '0.4rem' }}>
              <code>{tool.name}</code>
            </td>
            <td style={{ padding: '0.4rem' }}>{tool.readOnly ? 'read' : 'write'}</td>
            <td style={{ padding: '0.4rem' }}>{tool.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
