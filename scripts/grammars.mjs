// Fetches tree-sitter-python's prebuilt wasm from the npm registry (npm pack, no install scripts),
// copies it to grammars/ and records where it came from in grammars/grammars.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, Language } from 'web-tree-sitter';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = 'tree-sitter-python';
const VERSION = process.argv[2] ?? '0.25.0';

const work = mkdtempSync(join(tmpdir(), 'mlh-grammar-'));
try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--json', '--pack-destination', work], {
      encoding: 'utf8',
    }),
  );
  const tarball = join(work, packed[0].filename);
  execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/tree-sitter-python.wasm']);
  const wasm = readFileSync(join(work, 'package', 'tree-sitter-python.wasm'));
  await Parser.init();
  const language = await Language.load(wasm);
  const record = {
    grammars: [
      {
        file: 'tree-sitter-python.wasm',
        package: PACKAGE,
        version: packed[0].version,
        sha256: createHash('sha256').update(wasm).digest('hex'),
        abi: language.abiVersion,
      },
    ],
  };
  writeFileSync(join(root, 'grammars', 'tree-sitter-python.wasm'), wasm);
  writeFileSync(join(root, 'grammars', 'grammars.json'), JSON.stringify(record, null, 2) + '\n');
  console.log(`grammars/tree-sitter-python.wasm ← ${PACKAGE}@${packed[0].version} (ABI ${language.abiVersion})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
