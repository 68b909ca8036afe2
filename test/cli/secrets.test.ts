import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'secrets', 'leaky.ipynb');

/** The secrets in the fixture: one in a cell's source, the others in stored outputs. */
const SECRETS = [
  'hf_VTBNM2zYYY0oxClm6dkUXGC23sLEBVsbz8',
  '7e2f64f4310263a22e5a3e80b944726e',
  'hf_E1wlmPDjtA2DZDfU69c2dxOC7JscBXy4JN',
  'sk-proj-qZJwyG8xpHplkD4qcB1Qgv97DUpBenfRTHAaVPOP0w8X0v5X',
  'ghp_Tl6g1qAxEtrh02MHl8FKxweynGXLSVm3jUYK',
];

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Fails when an output shows more of a secret than its first four characters: no run of eight
 * characters from the rest of it may appear (the rule docs in SARIF share only fixed prefixes).
 */
function assertMasked(output: string): void {
  for (const secret of SECRETS) {
    for (let i = 1; i + 8 <= secret.length; i++) {
      assert.ok(!output.includes(secret.slice(i, i + 8)), 'output shows part of a secret');
    }
  }
}

describe('MLH601 through the CLI on a notebook with secrets in stored outputs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-secrets-'));
    copyFileSync(FIXTURE, join(dir, 'leaky.ipynb'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports outputs on their cell and the source token at its place, masked', () => {
    const run = cli(['check', 'leaky.ipynb', '--select', 'MLH601'], dir);
    assert.equal(run.code, 1, run.stderr);
    const clear = "clear the notebook's outputs and revoke the exposed token";
    assert.equal(
      run.stdout,
      [
        `leaky.ipynb:cell 3:1:1: MLH601 The stored output of this cell shows a Hugging Face token "hf_V…"; ${clear}`,
        `leaky.ipynb:cell 4:1:1: MLH601 The stored output of this cell shows a Kaggle API key "7e2f…"; ${clear}`,
        'leaky.ipynb:cell 5:1:13: MLH601 Hardcoded Hugging Face token "hf_E…" passed as token=; load it from the environment and revoke the exposed token',
        `leaky.ipynb:cell 6:1:1: MLH601 The stored output of this cell shows an OpenAI API key "sk-p…"; ${clear}`,
        `leaky.ipynb:cell 7:1:1: MLH601 The stored output of this cell shows a GitHub token "ghp_…"; ${clear}`,
        'Found 5 problems in 1 file.',
        '',
      ].join('\n'),
    );
    assertMasked(run.stdout + run.stderr);
  });

  it('never shows a secret in JSON, SARIF or GitHub annotations', () => {
    const json = cli(
      ['check', 'leaky.ipynb', '--select', 'MLH601', '--output-format', 'json'],
      dir,
    );
    const report = JSON.parse(json.stdout) as {
      findings: { cell: number; line: number; severity: string; fixes: { title: string }[] }[];
    };
    assert.deepEqual(
      report.findings.map((f) => [f.cell, f.line, f.severity, f.fixes.map((x) => x.title)]),
      [
        [3, 1, 'error', []],
        [4, 1, 'error', []],
        [5, 1, 'error', ['Read the secret from the environment variable HF_TOKEN']],
        [6, 1, 'error', []],
        [7, 1, 'error', []],
      ],
    );
    assertMasked(json.stdout + json.stderr);
    const sarif = cli(
      ['check', 'leaky.ipynb', '--select', 'MLH601', '--output-format', 'sarif'],
      dir,
    );
    const log = JSON.parse(sarif.stdout) as {
      runs: { results: { message: { text: string } }[] }[];
    };
    assert.equal(log.runs[0].results.length, 5);
    assert.match(log.runs[0].results[0].message.text, /shows a Hugging Face token "hf_V…"/);
    assertMasked(sarif.stdout + sarif.stderr);
    const github = cli(
      ['check', 'leaky.ipynb', '--select', 'MLH601', '--output-format', 'github'],
      dir,
    );
    assert.equal(github.stdout.split('\n').filter((l) => l.startsWith('::error ')).length, 5);
    assert.match(github.stdout, /shows a Hugging Face token "hf_V…"/);
    assertMasked(github.stdout + github.stderr);
  });

  it('leaves the notebook alone under --fix; --unsafe-fixes reads the source token from the environment', () => {
    const path = join(dir, 'fixed.ipynb');
    copyFileSync(FIXTURE, path);
    const original = readFileSync(path, 'utf8');
    const safe = cli(['check', 'fixed.ipynb', '--select', 'MLH601', '--fix'], dir);
    assert.equal(safe.code, 1, safe.stderr);
    assert.equal(readFileSync(path, 'utf8'), original);

    const unsafe = cli(
      ['check', 'fixed.ipynb', '--select', 'MLH601', '--fix', '--unsafe-fixes'],
      dir,
    );
    assert.equal(unsafe.code, 1, unsafe.stderr);
    const cells = (JSON.parse(readFileSync(path, 'utf8')) as { cells: { source: string[] }[] })
      .cells;
    assert.deepEqual(cells[4].source, ['login(token=os.environ["HF_TOKEN"])']);
    // Stored outputs have no fix: the four output findings remain.
    assert.equal((unsafe.stdout.match(/The stored output of this cell/g) ?? []).length, 4);
    assert.doesNotMatch(unsafe.stdout, /cell 5:/);
    assertMasked(unsafe.stdout + unsafe.stderr);
  });
});
