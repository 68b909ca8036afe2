import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FOUR_RULES = 'select = ["MLH102", "MLH201", "MLH301", "MLH401"]';

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mlhygiene CLI (dist/cli.js)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-cli-'));
    // These tests are about the CLI, so they pin the rule set they were written against.
    writeFileSync(join(dir, 'pyproject.toml'), `[tool.mlhygiene]\n${FOUR_RULES}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };

  it('exits 0 and says so when there is nothing to report', () => {
    write('clean/ok.py', 'import torch\nstate = torch.load("w.pt", weights_only=True)\n');
    const run = cli(['check', 'clean'], dir);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, 'All checks passed!\n');
  });

  it('prints path:line:col: CODE message and exits 1 on findings', () => {
    write('findings/train.py', 'import pickle\n\nmodel = pickle.loads(blob)\n');
    const run = cli(['check', 'findings'], dir);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^findings\/train\.py:3:9: MLH301 pickle deserialization can execute code/m,
    );
    assert.match(run.stdout, /^Found 1 problem in 1 file\.$/m);
  });

  it('prints notebook findings as path:cell N:line:col', () => {
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'notebooks', 'mapping.ipynb'),
      join(dir, 'mapping.ipynb'),
    );
    const run = cli(['check', 'mapping.ipynb', '--select', 'MLH301'], dir);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout.split('\n')[0],
      'mapping.ipynb:cell 5:3:24: MLH301 `torch.load` without `weights_only=True` can unpickle arbitrary objects (the default before torch 2.6)',
    );
  });

  it('writes JSON with 1-based positions, cell numbers, severities and fixes', () => {
    const run = cli(['check', 'mapping.ipynb', '--output-format', 'json'], dir);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as {
      findings: Record<string, unknown>[];
      errors: unknown[];
    };
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.cell, f.line, f.column, f.severity]),
      [
        ['MLH201', 2, 5, 12, 'warning'],
        ['MLH301', 5, 3, 24, 'warning'],
        ['MLH102', 8, 5, 1, 'warning'],
      ],
    );
    assert.deepEqual(report.findings[0].fixes, [
      { title: 'Read the path from the environment variable DATA_DIR', safety: 'safe' },
    ]);
  });

  it('--select and --ignore accept codes, prefixes and names; unknown rules are a usage error', () => {
    assert.equal(
      cli(['check', 'mapping.ipynb', '--ignore', 'MLH1,MLH2,unsafe-deserialization'], dir).code,
      0,
    );
    const bad = cli(['check', 'mapping.ipynb', '--select', 'MLH999'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown rule "MLH999"/);
  });

  it('exits 2 with a clear message for missing paths and broken notebooks', () => {
    const missing = cli(['check', 'nope.py'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error: nope\.py: no such file or folder/);
    // Nothing could be checked: the summary must not claim that everything passed.
    assert.equal(missing.stdout, 'No problems found in the files checked; 1 error (below).\n');
    write('broken/bad.ipynb', '{"cells": [');
    const broken = cli(['check', 'broken'], dir);
    assert.equal(broken.code, 2);
    assert.match(
      broken.stderr,
      /error: broken\/bad\.ipynb: not a valid notebook: invalid JSON at line 1/,
    );
  });

  it('--fix rewrites a script with the safe fixes and reports what is left', () => {
    const path = write(
      'fix/job.py',
      'import torch\n\ntry:\n    torch.save(net, "/home/bob/net.pt")\nexcept Exception:\n    pass\n',
    );
    const run = cli(['check', '--fix', 'fix'], dir);
    assert.equal(run.code, 0);
    assert.equal(
      readFileSync(path, 'utf8'),
      'import torch\nimport os\nimport logging\nlogger = logging.getLogger(__name__)\n\ntry:\n    torch.save(net, os.environ.get("NET_PATH", "/home/bob/net.pt"))\nexcept Exception:\n    logger.exception("Error ignored here")\n    pass\n',
    );
    // Once the destination comes from the environment it is no longer a fixed path (MLH401).
    assert.equal(run.stdout, 'Fixed 2 problems; no problems left.\n');
  });

  it('--fix on a notebook changes only the fixed cells and keeps the JSON layout byte for byte', () => {
    const path = join(dir, 'fixnb.ipynb');
    copyFileSync(join(ROOT, 'test', 'fixtures', 'notebooks', 'mapping.ipynb'), path);
    const before = readFileSync(path, 'utf8');
    const run = cli(['check', '--fix', 'fixnb.ipynb'], dir);
    assert.equal(run.code, 1, run.stderr);
    const afterText = readFileSync(path, 'utf8');
    const [old, now] = [JSON.parse(before), JSON.parse(afterText)] as {
      cells: { source: string[] }[];
    }[];
    // Cell 2 (imports, the path) and cell 8 (the handler) change; every other cell is identical.
    for (let i = 0; i < old.cells.length; i++) {
      if (i === 1 || i === 7) continue;
      assert.deepEqual(now.cells[i], old.cells[i], `cell ${i + 1} must not change`);
    }
    assert.deepEqual(now.cells[1].source, [
      '%matplotlib inline\n',
      'import pandas as pd\n',
      'import torch\n',
      'import os\n',
      'import logging\n',
      'logger = logging.getLogger(__name__)\n',
      '!pip install -q seaborn\n',
      'DATA_DIR = os.environ.get("DATA_DIR", "/home/ana/data")',
    ]);
    assert.ok(
      now.cells[7].source
        .join('')
        .includes('except:\r\n    logger.exception("Error ignored here")\r\n    pass'),
    );
    // Outside the two source arrays the text is byte-identical.
    const strip = (text: string) => text.replace(/"source": \[[^\]]*\]/g, '"source": []');
    assert.equal(strip(afterText), strip(before));
    assert.ok(afterText.endsWith('}\n'));
    // The remaining finding (torch.load has only an unsafe fix) is still reported.
    assert.match(run.stdout, /fixnb\.ipynb:cell 5:3:24: MLH301/);
  });

  it('reads [tool.mlhygiene] from the nearest pyproject.toml; bad keys are reported, the rest applies', () => {
    write(
      'proj/pyproject.toml',
      `[tool.mlhygiene]\n${FOUR_RULES}\nignore = ["MLH301"]\nseverity = { MLH201 = "loud" }\ncolour = true\n`,
    );
    write('proj/src/app.py', 'import pickle\nx = pickle.loads(b)\nopen("/home/x/a.txt")\n');
    const run = cli(['check', 'proj'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /proj\/src\/app\.py:3:6: MLH201/);
    assert.doesNotMatch(run.stdout, /MLH301/);
    assert.match(
      run.stderr,
      /pyproject\.toml: \[tool\.mlhygiene\] severity\.MLH201: .*the default is used/,
    );
    assert.match(run.stderr, /unknown key "colour"/);
  });

  it('honours per-file-ignores, exclude and .gitignore during discovery', () => {
    write('repo/.gitignore', 'generated/\n');
    write(
      'repo/pyproject.toml',
      `[tool.mlhygiene]\n${FOUR_RULES}\nper-file-ignores = { "legacy/*.py" = ["MLH301"] }\nextend-exclude = ["scratch"]\n`,
    );
    write('repo/generated/a.py', 'import pickle\npickle.loads(b)\n');
    write('repo/scratch/b.py', 'import pickle\npickle.loads(b)\n');
    write('repo/legacy/c.py', 'import pickle\npickle.loads(b)\n');
    write('repo/.venv/lib/d.py', 'import pickle\npickle.loads(b)\n');
    write('repo/app/e.py', 'import pickle\npickle.loads(b)\n');
    const run = cli(['check', 'repo'], dir);
    assert.equal(run.code, 1);
    assert.deepEqual(
      run.stdout
        .split('\n')
        .filter((l) => l.includes('MLH'))
        .map((l) => l.split(':')[0]),
      ['repo/app/e.py'],
    );
  });

  it('explains a rule by code or name', () => {
    const byCode = cli(['explain', 'MLH301'], dir);
    assert.equal(byCode.code, 0);
    assert.match(byCode.stdout, /^# MLH301 unsafe-deserialization\n/);
    assert.match(byCode.stdout, /## Why is this bad\?/);
    assert.equal(cli(['explain', 'unsafe-deserialization'], dir).stdout, byCode.stdout);
    assert.equal(cli(['explain', 'MLH000'], dir).code, 2);
  });
});
