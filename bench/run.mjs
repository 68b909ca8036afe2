// `npm run bench`: measures mlhygiene against its peers in one run and prints a table of ratios.
//   (A) Debian's python-sklearn-doc examples and notebooks (fetched by scripts/corpus.mjs)
//   (B) a large tree: this machine's Python stdlib + site-packages, or the folders given as args
// For each: the CLI cold (empty cache) and warm (cache, nothing changed) as whole processes, ruff
// (the ruff-wasm Node package, closest rule selection) and bandit (when installed) on the same
// files; then the language server's didChange → publishDiagnostics latency over 200 edits of a
// generated 3,000-line training script, and the CLI's peak RSS on (B) — of the whole process, so
// the worker threads' heaps count too. No assertions: numbers only.
//   node bench/run.mjs [folders for B] [--only=A,B,lsp] [--no-build]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const node = process.execPath;

const step = (label) => process.stderr.write(`bench: ${label}\n`);

function build() {
  step('building (tsc + esbuild)');
  execFileSync(node, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(node, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'ignore' });
}

function pythonTree() {
  const probe = spawnSync(
    'python3',
    [
      '-c',
      'import sysconfig;print(sysconfig.get_paths()["stdlib"]);print(sysconfig.get_paths()["purelib"])',
    ],
    { encoding: 'utf8' },
  );
  if (probe.status !== 0)
    throw new Error('python3 not found; pass folders to benchmark as arguments');
  return probe.stdout
    .trim()
    .split('\n')
    .filter((p) => existsSync(p));
}

/** The files mlhygiene lints under some roots, with its own discovery (excludes, .gitignore). */
function filesOf(roots) {
  const { discoverFiles } = require(join(root, 'out/server/src/workspace/discovery.js'));
  const { ConfigLocator } = require(join(root, 'out/server/src/config/load.js'));
  return discoverFiles(roots, new ConfigLocator()).files;
}

function timeProcess(cmd, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    ...options,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, result };
}

function peakRss(cmd, args, options) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const result = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    ...options,
  });
  const kb = Number(result.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

function mlhygiene(roots, label) {
  const cwd = mkdtempSync(join(tmpdir(), 'mlh-bench-'));
  const args = [
    join(root, 'dist/cli.js'),
    'check',
    ...roots,
    '--exit-zero',
    '--output-format',
    'json',
  ];
  step(`${label}: mlhygiene cold`);
  const cold = timeProcess(node, args, { cwd });
  const report = JSON.parse(cold.result.stdout);
  step(`${label}: mlhygiene warm`);
  const warm = timeProcess(node, args, { cwd });
  rmSync(cwd, { recursive: true, force: true });
  return {
    cold: cold.seconds,
    warm: warm.seconds,
    files: report.files,
    findings: report.findings.length,
  };
}

function ruff(files, label) {
  step(`${label}: ruff-wasm`);
  const list = join(mkdtempSync(join(tmpdir(), 'mlh-bench-')), 'files.json');
  writeFileSync(list, JSON.stringify(files.filter((f) => f.endsWith('.py'))));
  const { seconds, result } = timeProcess(node, [join(root, 'bench/ruff.mjs'), list]);
  if (result.status !== 0) throw new Error(`ruff-wasm failed: ${result.stderr}`);
  return { seconds, ...JSON.parse(result.stdout) };
}

/**
 * bandit (Debian package, when installed) on the same Python files as ruff: the file list, not the
 * folders, so that both skip what mlhygiene's discovery skips and nothing is scanned twice. The
 * list is passed in batches that fit a command line; the batches' times add up.
 */
function bandit(files, label) {
  if (spawnSync('sh', ['-c', 'command -v bandit']).status !== 0) return undefined;
  step(`${label}: bandit`);
  const python = files.filter((f) => f.endsWith('.py'));
  let seconds = 0;
  for (let from = 0; from < python.length;) {
    let to = from;
    for (let length = 0; to < python.length && length < 500_000; to++)
      length += python[to].length + 1;
    const run = timeProcess('bandit', ['-q', '-f', 'json', ...python.slice(from, to)]);
    // bandit exits 1 when it finds issues; anything else is a failure to report.
    if (run.result.status !== 0 && run.result.status !== 1) {
      throw new Error(`bandit failed: ${run.result.stderr}`);
    }
    seconds += run.seconds;
    from = to;
  }
  return { seconds };
}

function generatedScript(lines) {
  const block = (i) => `
def train_${i}(model, loader, optimizer, criterion, epochs=3):
    """Train variant ${i}."""
    history = []
    for epoch in range(epochs):
        total = 0.0
        for batch, target in loader:
            optimizer.zero_grad()
            loss = criterion(model(batch), target)
            loss.backward()
            optimizer.step()
            total += loss.item()
        history.append(total / max(len(loader), 1))
    torch.save(model.state_dict(), "checkpoints/model_${i}.pt")
    return history
`;
  let text = 'import torch\nimport pandas as pd\n\nDATA_DIR = "/home/alice/data"\n';
  for (let i = 0; text.split('\n').length < lines; i++) text += block(i);
  return text;
}

async function editLatency(debounceMs) {
  const {
    createProtocolConnection,
    StreamMessageReader,
    StreamMessageWriter,
  } = require('vscode-languageserver-protocol/node');
  const env = { ...process.env, MLHYGIENE_DEBOUNCE_MS: String(debounceMs) };
  const child = spawn(node, [join(root, 'dist/server.js'), '--stdio'], { stdio: 'pipe', env });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const waiting = new Map();
  connection.onNotification('textDocument/publishDiagnostics', ({ version }) => {
    waiting.get(version)?.();
    waiting.delete(version);
  });
  connection.onRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const dir = mkdtempSync(join(tmpdir(), 'mlh-bench-'));
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: {},
  });
  await connection.sendNotification('initialized', {});
  const uri = `${pathToFileURL(dir).href}/train.py`;
  const text = generatedScript(3000);
  const published = (version) => new Promise((resolve) => waiting.set(version, resolve));
  let wait = published(1);
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'python', version: 1, text },
  });
  await wait;
  const samples = [];
  let lastLine = 0;
  const lines = text.split('\n').length;
  for (let i = 0; i < 200; i++) {
    const version = i + 2;
    const line = 10 + ((i * 37) % (lines - 20));
    if (i % 2 === 0) lastLine = line;
    wait = published(version);
    const started = process.hrtime.bigint();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      // Even edits insert a comment line, odd ones remove it again: the text stays valid Python.
      contentChanges: [
        i % 2 === 0
          ? {
              range: { start: { line, character: 0 }, end: { line, character: 0 } },
              text: '# edit\n',
            }
          : {
              range: {
                start: { line: lastLine, character: 0 },
                end: { line: lastLine + 1, character: 0 },
              },
              text: '',
            },
      ],
    });
    await wait;
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  connection.dispose();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

const fmt = (n, digits = 2) => (n === undefined ? 'n/a' : n.toFixed(digits));
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}×`);

/**
 * Command line: folders for (B), and `--only=A,B,lsp` to run part of the benchmark (the table
 * shows n/a for the rest) and `--no-build` to measure the current dist/ as it is.
 */
function options(argv) {
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  return {
    folders: argv.filter((a) => !a.startsWith('--')),
    runs: (part) => !only || only.includes(part),
    build: !argv.includes('--no-build'),
  };
}

async function main() {
  const { folders, runs, build: rebuild } = options(process.argv.slice(2));
  if (rebuild) build();
  const trees = {};
  if (runs('A')) {
    trees.A = [execFileSync(node, [join(root, 'scripts/corpus.mjs')], { encoding: 'utf8' }).trim()];
  }
  if (runs('B')) trees.B = folders.length ? folders : pythonTree();
  const rows = [];
  for (const [label, roots] of Object.entries(trees)) {
    const files = filesOf(roots);
    const ours = mlhygiene(roots, label);
    const theirs = ruff(files, label);
    const b = bandit(files, label);
    rows.push({ label, roots, files: files.length, ours, theirs, bandit: b });
  }
  let rss;
  if (trees.B) {
    step('B: peak RSS');
    rss = peakRss(
      node,
      [
        join(root, 'dist/cli.js'),
        'check',
        ...trees.B,
        '--exit-zero',
        '--no-cache',
        '--output-format',
        'json',
      ],
      { cwd: tmpdir() },
    );
  }
  let typing;
  let debounced;
  if (runs('lsp')) {
    step('language server edit latency');
    typing = await editLatency(0);
    debounced = await editLatency(120);
  }

  const out = [];
  out.push(
    `| tree | files | mlhygiene cold s | warm s | warm/cold | ruff-wasm s (py files) | cold/ruff | bandit s | bandit/cold |`,
  );
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    out.push(
      `| ${r.label} (${r.roots.join(', ')}) | ${r.files} | ${fmt(r.ours.cold)} | ${fmt(r.ours.warm)} | ${ratio(r.ours.warm, r.ours.cold)} | ${fmt(r.theirs.seconds)} (${r.theirs.files}) | ${ratio(r.ours.cold, r.theirs.seconds)} | ${fmt(r.bandit?.seconds)} | ${ratio(r.bandit?.seconds, r.ours.cold)} |`,
    );
  }
  out.push('');
  if (rows.length) {
    out.push(
      `findings: ${rows.map((r) => `${r.label} mlhygiene ${r.ours.findings}, ruff ${r.theirs.diagnostics}`).join('; ')}`,
    );
  }
  if (rows.length) {
    out.push(
      `mlhygiene ran with ${availableParallelism()} worker threads (one per core); machine load average before the run: ${loadBefore}`,
    );
  }
  if (typing) {
    out.push(
      `language server, 3,000-line script, 200 edits: didChange → publishDiagnostics p50 ${fmt(typing.p50)} ms, p99 ${fmt(typing.p99)} ms (no debounce); with the editor's 120 ms debounce p50 ${fmt(debounced.p50)} ms, p99 ${fmt(debounced.p99)} ms`,
    );
  }
  if (trees.B)
    out.push(`CLI peak RSS on B (the process with its worker threads): ${fmt(rss, 0)} MB`);
  process.stdout.write(out.join('\n') + '\n');
}

const loadBefore = loadavg()
  .map((n) => n.toFixed(2))
  .join(', ');

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
