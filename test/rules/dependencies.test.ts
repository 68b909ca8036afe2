import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  guaranteedAtLeast,
  minimumOf,
  parseVersion,
  requirementsFor,
} from '../../server/src/rules/shared/dependencies';
import { projectFiles } from '../../server/src/workspace/project';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'dependencies');
const TORCH = ['torch', 'pytorch'];

/** The project of a script in one fixture folder, which is also its root. */
function fixture(name: string) {
  const folder = join(FIXTURES, name);
  return projectFiles(join(folder, 'src', 'train.py'), folder, {});
}

describe('dependency pins: specifiers', () => {
  const cases: [string, number[] | undefined][] = [
    ['>=2.6', [2, 6]],
    ['==2.6.0', [2, 6, 0]],
    ['===2.6.0', [2, 6, 0]],
    ['~=2.7', [2, 7]],
    ['>2.5', [2, 5]],
    ['<3', undefined],
    ['!=2.5.0', undefined],
    ['>=2.6,<3', [2, 6]],
    ['>= 2.4, >= 2.6, != 2.6.1', [2, 6]],
    ['==2.6.*', [2, 6]],
    ['^2.6', [2, 6]],
    ['~2.6', [2, 6]],
    ['2.6.0', [2, 6, 0]],
    ['>=2.6 <3.0', [2, 6]],
    ['*', undefined],
    ['', undefined],
    ['>=2.4 || >=2.6', [2, 4]],
    ['>=2.6 || *', undefined],
    ['=2.6', [2, 6]],
  ];
  for (const [specifier, expected] of cases) {
    it(`"${specifier}" admits nothing below ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(minimumOf(specifier), expected);
    });
  }

  it('orders pre-releases before their release and ignores local labels', () => {
    assert.deepEqual(parseVersion('2.6.0rc1'), [2, 6, 0, -1]);
    assert.deepEqual(parseVersion('2.6.dev20241101'), [2, 6, -1]);
    assert.deepEqual(parseVersion('2.6.0+cu124'), [2, 6, 0]);
    assert.deepEqual(parseVersion('1!2.6.0.post1'), [2, 6, 0]);
    assert.equal(parseVersion('py3.11_cuda'), undefined);
  });
});

describe('dependency pins: manifests', () => {
  it('requirements.txt: comments, options, hashes, markers, extras and a -r include', () => {
    const found = requirementsFor(fixture('requirements'), TORCH);
    assert.deepEqual(
      found.map((r) => [r.text, r.minimum, r.file.endsWith(join('base', 'torch.txt'))]),
      [
        ['torch[opt-einsum]>=2.6.0+cu124 ; platform_system == "Linux"', [2, 6, 0], true],
        ['torch>=2.6 ; platform_system != "Linux"', [2, 6], true],
      ],
    );
    const numpy = requirementsFor(fixture('requirements'), ['NumPy']);
    assert.deepEqual(
      numpy.map((r) => r.minimum),
      [[1, 26]],
    );
    const sklearn = requirementsFor(fixture('requirements'), ['scikit_learn']);
    assert.deepEqual(
      sklearn.map((r) => r.minimum),
      [[1, 5, 2]],
    );
  });

  it('pyproject.toml: PEP 621 dependencies and optional dependencies', () => {
    const found = requirementsFor(fixture('pep621'), TORCH);
    assert.deepEqual(
      found.map((r) => [r.text, r.minimum]),
      [
        ['torch>=2.6,<3', [2, 6]],
        ['torch[cuda] ~= 2.7.0', [2, 7, 0]],
      ],
    );
  });

  it('pyproject.toml: a Poetry dependency table', () => {
    const found = requirementsFor(fixture('poetry'), TORCH);
    assert.deepEqual(
      found.map((r) => [r.text, r.minimum]),
      [['torch = {"version":"^2.6","source":"pytorch-cu124"}', [2, 6]]],
    );
  });

  it('setup.cfg: a multi-line install_requires with a comment', () => {
    const found = requirementsFor(fixture('setup-cfg'), TORCH);
    assert.deepEqual(
      found.map((r) => [r.text, r.minimum]),
      [['torch ~= 2.6', [2, 6]]],
    );
  });

  it('environment.yml: a conda spec with channel and build; pip names that only start alike', () => {
    const found = requirementsFor(fixture('conda'), TORCH);
    assert.deepEqual(
      found.map((r) => [r.name, r.minimum]),
      [['pytorch', [2, 6, 0]]],
    );
    assert.deepEqual(
      requirementsFor(fixture('conda'), ['transformers']).map((r) => r.minimum),
      [[4, 48]],
    );
  });

  it('guarantees torch >= 2.6 only when every mention admits nothing older', () => {
    for (const name of ['requirements', 'pep621', 'poetry', 'setup-cfg', 'conda'])
      assert.ok(guaranteedAtLeast(fixture(name), TORCH, [2, 6]), name);
    assert.equal(guaranteedAtLeast(fixture('old-pin'), TORCH, [2, 6]), undefined);
    // requirements-dev.txt names torch without a version.
    assert.equal(guaranteedAtLeast(fixture('dev-unpinned'), TORCH, [2, 6]), undefined);
    // No manifest at all.
    assert.equal(
      guaranteedAtLeast(projectFiles('/nonexistent/x/train.py', '/nonexistent', {}), TORCH, [2, 6]),
      undefined,
    );
  });

  it('re-reads a manifest whose text changed, and keeps broken ones harmless', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mlh-deps-'));
    try {
      const manifest = join(folder, 'requirements.txt');
      const project = projectFiles(join(folder, 'train.py'), folder, {});
      writeFileSync(manifest, 'torch==2.4.1\n');
      assert.equal(guaranteedAtLeast(project, TORCH, [2, 6]), undefined);
      writeFileSync(manifest, 'torch==2.6.0\n');
      // A later modification time, as an editor save would give.
      const later = new Date(Date.now() + 5000);
      utimesSync(manifest, later, later);
      assert.equal(guaranteedAtLeast(project, TORCH, [2, 6])?.text, 'torch==2.6.0');
      writeFileSync(join(folder, 'pyproject.toml'), '[project\ndependencies = ["torch>=2.6"');
      assert.equal(guaranteedAtLeast(project, TORCH, [2, 6])?.text, 'torch==2.6.0');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
