// `npm run fix-safety [-- paths...]`: applies every fix of every file, one at a time and all
// together, and checks that nothing breaks (see test/robustness/fixSafety.ts). Defaults to the
// scikit-learn corpus plus this machine's Python stdlib and site-packages.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run([join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
run([join(root, 'out/test/robustness/fixSafety.js'), ...process.argv.slice(2)]);
