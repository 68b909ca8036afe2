// Writes docs/rules/<CODE>-<name>.md from the rule files (compiled to out/ by `npm run compile`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { RULES } = require(join(root, 'out/server/src/rules/index.js'));
const { renderRuleMarkdown, ruleDocFileName } = require(join(root, 'out/server/src/rules/render.js'));

const dir = join(root, 'docs', 'rules');
mkdirSync(dir, { recursive: true });
for (const file of readdirSync(dir)) rmSync(join(dir, file));
const index = ['# Rules', '', '| code | name | family | summary |', '|---|---|---|---|'];
for (const rule of RULES) {
  writeFileSync(join(dir, ruleDocFileName(rule)), renderRuleMarkdown(rule));
  index.push(`| [${rule.code}](${ruleDocFileName(rule)}) | ${rule.name} | ${rule.family} | ${rule.docs.summary} |`);
}
writeFileSync(join(dir, 'README.md'), index.join('\n') + '\n');
console.log(`wrote ${RULES.length} rule pages to docs/rules/`);
