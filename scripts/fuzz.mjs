// `npm run fuzz -- --iterations N [--lsp-iterations M] [--seed S] [--replay I]`: mutates the
// corpora's scripts and notebooks and drives the engine and the language server with them (see
// test/robustness/fuzz.ts). Failures are written to .fuzz/crashes/ with the seed and iteration that
// reproduce them.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run([join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
// The language-server half drives the bundle the extension ships.
run([join(root, 'esbuild.mjs')]);
run([join(root, 'out/test/robustness/fuzz.js'), ...process.argv.slice(2)]);
