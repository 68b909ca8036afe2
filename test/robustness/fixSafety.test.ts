import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sklearnCorpus } from '../harness/corpus';
import { ensureEngine } from '../../server/src/engine/lint';
import { corpusFiles, formatTotals, runFixSafety } from './fixSafety';

/**
 * The bounded fix-safety run of the default suite: every scikit-learn notebook and half of the
 * example scripts. `npm run fix-safety` runs the whole corpora (stdlib and site-packages too).
 */
describe('fix safety over the scikit-learn corpus (bounded)', () => {
  before(() => ensureEngine());

  it('applies every fix alone and all together without breaking anything', (t) => {
    const corpus = sklearnCorpus(t);
    if (!corpus) return;
    const all = corpusFiles([corpus]);
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
