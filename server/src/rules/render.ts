import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rule } from './types';

/** Renders a rule's documentation as Markdown: `explain`, hovers and docs/rules/*.md share it. */
export function renderRuleMarkdown(rule: Rule): string {
  const { docs } = rule;
  const scopes = Object.entries(rule.severity)
    .map(([scope, severity]) => `${scope}: ${severity}`)
    .join(', ');
  const fix = {
    none: 'no automatic fix',
    sometimes: 'fix available in some cases',
    always: 'fix always available',
  }[rule.fix];
  const sections = [
    `# ${rule.code} ${rule.name}`,
    '',
    docs.summary,
    '',
    `Family: ${rule.family}. Default severity — ${scopes}. ${fix[0].toUpperCase()}${fix.slice(1)}.`,
    '',
    '## Why is this bad?',
    '',
    docs.why,
    '',
    '## How to fix',
    '',
    docs.howToFix,
  ];
  if (docs.fixSafety) sections.push('', '## Fix safety', '', docs.fixSafety);
  if (docs.options) sections.push('', '## Options', '', docs.options);
  sections.push('', '## Examples', '', 'Flagged:', '');
  for (const example of docs.examples.invalid)
    sections.push('```python', example.trimEnd(), '```', '');
  sections.push('Not flagged:', '');
  for (const example of docs.examples.valid)
    sections.push('```python', example.trimEnd(), '```', '');
  return sections.join('\n').trimEnd() + '\n';
}

export function ruleDocFileName(rule: Rule): string {
  return `${rule.code}-${rule.name}.md`;
}

let docsDir: string | undefined | null;

/** The bundled docs/rules folder (next to the extension, or in the repository). */
function findDocsDir(): string | undefined {
  if (docsDir === undefined) {
    docsDir = null;
    for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
      if (existsSync(join(dir, 'docs', 'rules'))) {
        docsDir = join(dir, 'docs', 'rules');
        break;
      }
    }
  }
  return docsDir ?? undefined;
}

/** A link to the rule's documentation page; a `file:` URI to the copy shipped with the tool. */
export function ruleDocUrl(rule: Rule): string {
  const dir = findDocsDir();
  if (dir) return pathToFileURL(join(dir, ruleDocFileName(rule))).href;
  return `mlhygiene:rules/${rule.code}`;
}

/** The short form shown when hovering a diagnostic: summary, why, how to fix, link. */
export function renderRuleHover(rule: Rule): string {
  return [
    `**${rule.code} ${rule.name}** — ${rule.docs.summary}`,
    '',
    `*Why:* ${rule.docs.why}`,
    '',
    `*Fix:* ${rule.docs.howToFix}`,
    '',
    `[Rule documentation](${ruleDocUrl(rule)})`,
  ].join('\n');
}
