import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureEngine } from '../../server/src/engine/lint';
import { checkEngine, Corpus, makeInput, minimise } from './fuzz';
import { allRulesSettings } from './oracles';

/**
 * The fuzzer's own guarantees: an input is a pure function of (seed, iteration), so a printed
 * pair reproduces a failure; the minimiser keeps the failure while shrinking; a short run over
 * the repository's fixtures finds nothing. `npm run fuzz` is the real run.
 */
describe('fuzzer', () => {
  before(() => ensureEngine());

  it('regenerates the same input from the same seed and iteration', () => {
    const corpus = Corpus.default();
    const first = makeInput(corpus, 12345, 77);
    const again = makeInput(corpus, 12345, 77);
    assert.deepEqual(again, first);
    const other = makeInput(corpus, 12345, 78);
    assert.notEqual(other.text, first.text);
  });

  it('minimises an input to what still fails', () => {
    const input = {
      name: 'x.py',
      text: 'import os\nx = 1\nboom = eval(data)\ny = 2\n',
      origin: 'test',
      steps: [],
    };
    const minimal = minimise(input, (candidate) => candidate.text.includes('eval('));
    assert.equal(minimal.text, 'eval(');
  });

  it('finds nothing in 40 iterations over the fixtures (seed 20240601)', () => {
    const corpus = new Corpus([], Corpus.default().seeds);
    const settings = allRulesSettings();
    const failures = [];
    for (let iteration = 0; iteration < 40; iteration++) {
      const input = makeInput(corpus, 20240601, iteration);
      for (const problem of checkEngine(input, settings))
        failures.push(`iteration ${iteration}: ${problem.code} ${problem.kind}: ${problem.detail}`);
    }
    assert.deepEqual(failures, []);
  });
});
