import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { editorExcludes, enabledGlobs } from '../../server/src/workspace/editorExcludes';

const WS = join('/', 'work', 'ws');
const at = (...parts: string[]) => join(WS, ...parts);

describe('the editor excludes (mlhygiene.exclude and files.exclude)', () => {
  it('matches a bare name at any depth and a pattern with a slash from the workspace folder', () => {
    const excluded = editorExcludes([
      { folder: WS, patterns: ['scratch', '*_generated.py', 'notebooks/old/**'] },
    ]);
    assert.equal(excluded(at('scratch')), true);
    assert.equal(excluded(at('src', 'scratch', 'try.py')), true);
    assert.equal(excluded(at('src', 'model_generated.py')), true);
    assert.equal(excluded(at('notebooks', 'old', 'eda.ipynb')), true);
    // Rooted patterns do not match the same folder names deeper down.
    assert.equal(excluded(at('src', 'notebooks', 'old', 'eda.ipynb')), false);
    assert.equal(excluded(at('src', 'train.py')), false);
    assert.equal(excluded(at('scratchpad.py')), false);
  });

  it('honours files.exclude entries that are true, and only those', () => {
    const excluded = editorExcludes([
      {
        folder: WS,
        patterns: [],
        filesExclude: {
          '**/.ipynb_checkpoints': true,
          'data/raw': true,
          'archive/**': false,
          '**/*.js': { when: '$(basename).ts' },
        },
      },
    ]);
    assert.equal(excluded(at('nb', '.ipynb_checkpoints', 'eda-checkpoint.ipynb')), true);
    assert.equal(excluded(at('data', 'raw', 'load.py')), true);
    assert.equal(excluded(at('archive', 'old.py')), false);
    assert.equal(excluded(at('src', 'data', 'raw', 'load.py')), false);
    assert.deepEqual(enabledGlobs({ a: true, b: false, c: { when: 'x' } }), ['a']);
    assert.deepEqual(enabledGlobs(['a']), []);
    assert.deepEqual(enabledGlobs(null), []);
  });

  it('judges a file by the innermost workspace folder and leaves files outside the folders alone', () => {
    const inner = at('packages', 'lib');
    const excluded = editorExcludes([
      { folder: WS, patterns: ['vendor'] },
      { folder: inner, patterns: ['tests/**'] },
    ]);
    assert.equal(excluded(join(inner, 'tests', 'test_a.py')), true);
    // The inner folder's own settings decide for its files; the outer `vendor` is not among them.
    assert.equal(excluded(join(inner, 'vendor', 'x.py')), false);
    assert.equal(excluded(at('vendor', 'x.py')), true);
    assert.equal(excluded(join('/', 'elsewhere', 'vendor', 'x.py')), false);
  });
});
