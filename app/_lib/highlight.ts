import hljs from 'highlight.js/lib/core';
import typescript from 'highlight.js/lib/languages/typescript';

// Highlighted on the server: the browser gets coloured HTML and no highlighter bundle.
hljs.registerLanguage('typescript', typescript);

/** TypeScript source as highlight.js HTML (its output escapes the source). */
export function highlightTypeScript(code: string): string {
  return hljs.highlight(code, { language: 'typescript', ignoreIllegals: true }).value;
}
