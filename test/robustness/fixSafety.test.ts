import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { corpusFiles, formatTotals, ROOT, runFixSafety } from './fixSafety';

/**
 * The bounded fix-safety run of the default suite: every scikit-learn notebook and half of the
 * example scripts. `npm run fix-safety` runs the whole corpora (stdlib and site-packages too).
 */
describe('fix safety over the scikit-learn corpus (bounded)', () => {
  before(() => ensureEngine());

  it('applies every fix alone and all together without breaking anything', (t) => {
    const fetch = spawnSync(process.execPath, [join(ROOT, 'scripts', 'corpus.mjs')], {
      encoding: 'utf8',
    });
    if (fetch.status === 3) {
      t.skip(`corpus unavailable: ${fetch.stderr.trim()}`);
      return;
    }
    assert.equal(fetch.status, 0, fetch.stderr);
    const all = corpusFiles([fetch.stdout.trim()]);
    const scripts = all.filter((f) => f.endsWith('.py')).filter((_, i) => i % 2 === 0);
    const files = [...all.filter((f) => f.endsWith('.ipynb')), ...scripts];
    const started = process.hrtime.bigint();
    const totals = runFixSafety(files);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    t.diagnostic(formatTotals(totals, seconds));
    assert.deepEqual(
      totals.failures.map((f) => `${f.path}: ${f.code} ${f.kind}: ${f.detail}`),
      [],
    );
    assert.equal(totals.syntaxRegressions, 0);
    // The run means something only if fixes were actually applied, in notebooks too.
    assert.ok(totals.files >= 150, `only ${totals.files} files`);
    assert.ok(totals.fixesApplied >= 50, `only ${totals.fixesApplied} fixes applied`);
  });
});
