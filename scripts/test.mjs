// `npm test`: type-checks and compiles (tsc → out/), bundles (esbuild → dist/, used by the LSP and
// CLI tests), then runs every out/test/**/*.test.js with node's test runner.
// Extra arguments filter test files by substring: `npm test -- lsp`.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

rmSync(join(root, 'out'), { recursive: true, force: true });
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
run(process.execPath, [join(root, 'esbuild.mjs')]);

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
};
walk(join(root, 'out', 'test'));
const filters = process.argv.slice(2);
const selected = files
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
run(process.execPath, ['--test', '--test-concurrency=2', ...selected]);
