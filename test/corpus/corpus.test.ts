import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sklearnCorpus } from '../harness/corpus';

const ROOT = join(__dirname, '..', '..', '..');

interface JsonReport {
  files: number;
  findings: { path: string; code: string }[];
  errors: { path: string; message: string }[];
}

describe('corpus smoke: scikit-learn examples and notebooks (Debian python-sklearn-doc)', () => {
  it('lints every example script and notebook with no crash and no internal error', (t) => {
    const corpus = sklearnCorpus(t);
    if (!corpus) return;
    const started = process.hrtime.bigint();
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'check', corpus, '--output-format', 'json', '--exit-zero'],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(report.errors, []);
    const notebooks = report.findings.filter((f) => f.path.endsWith('.ipynb')).length;
    // ~285 example scripts, their ~285 rendered copies and ~90 notebooks.
    assert.ok(report.files >= 600, `only ${report.files} files were linted`);
    const byCode: Record<string, number> = {};
    for (const finding of report.findings) byCode[finding.code] = (byCode[finding.code] ?? 0) + 1;
    t.diagnostic(
      `${report.files} files in ${seconds.toFixed(1)} s; ${report.findings.length} findings (${notebooks} in notebooks): ${JSON.stringify(byCode)}`,
    );
  });
});
