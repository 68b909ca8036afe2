// Runs ruff (its WebAssembly build for Node) over a list of files in one process, with the rule
// selection closest to mlhygiene's, and prints {files, diagnostics} as JSON.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ruff = require('@astral-sh/ruff-wasm-nodejs');
const SELECT = ['T201', 'BLE001', 'S110', 'S112', 'S301', 'S506', 'S108', 'S307', 'NPY002'];

const files = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const workspace = new ruff.Workspace({ lint: { select: SELECT } }, ruff.PositionEncoding.Utf16);
let diagnostics = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue;
  }
  diagnostics += workspace.check(text).length;
}
process.stdout.write(JSON.stringify({ files: files.length, diagnostics }) + '\n');
