// Bundles the extension client, the language server and the CLI into dist/, and copies the
// tree-sitter wasm files next to them: server/src/parsing/runtime.ts looks for them in the
// bundle's own folder first.
//
//   node esbuild.mjs          production build, no source maps
//   node esbuild.mjs --dev    with source maps
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const dev = process.argv.includes('--dev');

const bundles = [
  { entry: 'client/src/extension.ts', outfile: 'dist/extension.js' },
  { entry: 'server/src/main.ts', outfile: 'dist/server.js' },
  { entry: 'server/src/cli.ts', outfile: 'dist/cli.js', executable: true },
  // The CLI's worker threads start from this file, which the CLI looks for in its own folder.
  { entry: 'server/src/cli/checkWorker.ts', outfile: 'dist/checkWorker.js' },
];

const wasmFiles = [
  'node_modules/web-tree-sitter/web-tree-sitter.wasm',
  'grammars/tree-sitter-python.wasm',
];

/** Builds one bundle; returns false when its entry point does not exist yet. */
async function bundle({ entry, outfile, executable = false }) {
  if (!existsSync(join(root, entry))) {
    console.warn(`esbuild: skipping ${outfile}: ${entry} does not exist`);
    return false;
  }
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The editor provides the `vscode` module at runtime; it is never bundled.
    external: ['vscode'],
    // Prefer ES module builds: jsonc-parser's UMD main hides its requires from the bundler.
    mainFields: ['module', 'main'],
    // The bundles are CommonJS, so take web-tree-sitter's CommonJS build: its ES build calls
    // createRequire(import.meta.url), which is undefined once bundled into CommonJS.
    alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
    sourcemap: dev ? 'linked' : false,
    minify: false,
    banner: executable ? { js: '#!/usr/bin/env node' } : undefined,
    logLevel: 'warning',
  });
  if (executable) chmodSync(join(root, outfile), 0o755);
  return true;
}

function copyWasm() {
  for (const file of wasmFiles) {
    const source = join(root, file);
    if (!existsSync(source)) {
      throw new Error(`esbuild: ${file} is missing (run \`npm install\` or \`npm run grammars\`)`);
    }
    copyFileSync(source, join(dist, basename(file)));
  }
}

// A clean dist/ keeps stale bundles and source maps out of the package.
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const built = [];
for (const spec of bundles) {
  if (await bundle(spec)) built.push(spec.outfile);
}
copyWasm();
console.log(`esbuild: built ${built.join(', ')}${dev ? ' (with source maps)' : ''}`);
