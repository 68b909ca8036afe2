import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FOUR_RULES = 'select = ["MLH102", "MLH201", "MLH301", "MLH401"]';

function cli(args: string[], cwd: string, input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The SARIF 2.1.0 schema (draft-04), as published with Microsoft's SARIF tooling. */
function sarifValidator() {
  // The schema's language pattern is not valid with the `u` flag; it is compiled without it.
  const regExp = Object.assign(
    (pattern: string, flags: string) => new RegExp(pattern, flags.replace('u', '')),
    { code: 'new RegExp' },
  );
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp } });
  const schema = JSON.parse(
    readFileSync(
      require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
      'utf8',
    ),
  ) as object;
  return ajv.compile(schema);
}

describe('CLI for CI: SARIF, GitHub annotations, statistics, baseline, cache, stdin', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-ci-'));
    // These tests are about the CLI, so they pin the rule set they were written against.
    writeFileSync(join(dir, 'pyproject.toml'), `[tool.mlhygiene]\n${FOUR_RULES}\n`);
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src', 'train.py'),
      'import torch\nimport pickle\n\nstate = torch.load("ckpt.pt")\nmodel = pickle.loads(blob)\n',
    );
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'notebooks', 'mapping.ipynb'),
      join(dir, 'nb.ipynb'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes SARIF 2.1.0 that validates against the schema, with repo-relative URIs and notebook lines', () => {
    const run = cli(['check', '--output-format', 'sarif', '--no-cache'], dir);
    assert.equal(run.code, 1, run.stderr);
    const log = JSON.parse(run.stdout) as {
      runs: {
        tool: { driver: { rules: { id: string; help: { text: string } }[] } };
        results: {
          ruleId: string;
          message: { text: string };
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string };
              region: { startLine: number; startColumn: number };
            };
          }[];
          partialFingerprints: Record<string, string>;
        }[];
      }[];
    };
    const validate = sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
    const [run0] = log.runs;
    assert.ok(
      run0.tool.driver.rules.every((r) => /^MLH\d{3}$/.test(r.id) && r.help.text.length > 20),
    );
    const where = run0.results.map((r) => [
      r.ruleId,
      r.locations[0].physicalLocation.artifactLocation.uri,
      r.locations[0].physicalLocation.region.startLine,
      r.locations[0].physicalLocation.region.startColumn,
    ]);
    // src/train.py lines 4 and 5; in the notebook, the torch.load of cell 5, line 3 is the
    // `.ipynb` line that holds that source line.
    const notebookText = readFileSync(join(dir, 'nb.ipynb'), 'utf8').split('\n');
    const ipynbLine =
      notebookText.findIndex((l) => l.includes('state = torch.load(\\"s.pt\\")')) + 1;
    assert.deepEqual(
      where.filter(([code]) => code === 'MLH301'),
      [
        ['MLH301', 'nb.ipynb', ipynbLine, 1],
        ['MLH301', 'src/train.py', 4, 9],
        ['MLH301', 'src/train.py', 5, 9],
      ],
    );
    const notebookResult = run0.results.find(
      (r) =>
        r.ruleId === 'MLH301' &&
        r.locations[0].physicalLocation.artifactLocation.uri === 'nb.ipynb',
    )!;
    assert.match(notebookResult.message.text, /^cell 5, line 3: /);
    const prints = run0.results.map((r) => r.partialFingerprints['mlhygiene/v1']);
    assert.equal(new Set(prints).size, prints.length);
  });

  it('writes GitHub workflow annotations with escaped properties and messages', () => {
    mkdirSync(join(dir, 'odd'), { recursive: true });
    writeFileSync(join(dir, 'odd', 'a,b:c.py'), 'import pickle\nx = pickle.loads(b)\n');
    const run = cli(['check', 'odd', '--output-format', 'github', '--no-cache'], dir);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      '::warning file=odd/a%2Cb%3Ac.py,line=2,col=5,endLine=2,endColumn=17,title=MLH301 unsafe-deserialization::pickle deserialization can execute code embedded in the data: load only trusted, integrity-checked data (prefer safetensors/skops/ONNX)\n',
    );
  });

  it('--statistics counts findings per rule', () => {
    const run = cli(['check', 'src', '--statistics', '--no-cache'], dir);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '2\tMLH301\tunsafe-deserialization\n');
  });

  it('baseline round trip: recorded findings pass, new ones fail, moved lines stay known', () => {
    const baseline = join(dir, 'baseline.json');
    const write = cli(['check', 'src', '--write-baseline', baseline, '--no-cache'], dir);
    assert.equal(write.code, 0);
    assert.match(write.stderr, /Wrote 2 findings to the baseline/);
    const known = cli(['check', 'src', '--baseline', baseline, '--no-cache'], dir);
    assert.equal(known.code, 0);
    assert.equal(known.stdout, 'All checks passed!\n2 known problems hidden by the baseline.\n');
    // Lines move (a header is added) and one new unsafe load appears: only that one is reported.
    writeFileSync(
      join(dir, 'src', 'train.py'),
      '"""Training."""\n\nimport torch\nimport pickle\n\nstate = torch.load("ckpt.pt")\nmodel = pickle.loads(blob)\nother = pickle.loads(more)\n',
    );
    const next = cli(['check', 'src', '--baseline', baseline, '--no-cache'], dir);
    assert.equal(next.code, 1);
    assert.deepEqual(
      next.stdout.split('\n').filter((l) => l.includes('MLH')),
      [
        'src/train.py:8:9: MLH301 pickle deserialization can execute code embedded in the data: load only trusted, integrity-checked data (prefer safetensors/skops/ONNX)',
      ],
    );
    const bad = cli(['check', 'src', '--baseline', join(dir, 'nope.json')], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot read baseline/);
  });

  it('caches findings by content and configuration, in a self-ignoring .mlhygiene_cache', () => {
    const project = join(dir, 'cached');
    mkdirSync(project);
    writeFileSync(join(project, 'job.py'), 'import pickle\nx = pickle.loads(b)\n');
    const first = cli(['check'], project);
    assert.equal(first.code, 1);
    assert.equal(
      readFileSync(join(project, '.mlhygiene_cache', '.gitignore'), 'utf8').split('\n')[1],
      '*',
    );
    // The warm run reads the stored findings: a planted message proves the file was not re-linted.
    const entries = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? entries(join(folder, e.name))
          : e.name.endsWith('.json')
            ? [join(folder, e.name)]
            : [],
      );
    const [entry] = entries(join(project, '.mlhygiene_cache'));
    const stored = JSON.parse(readFileSync(entry, 'utf8')) as {
      report: { entries: { finding: { message: string } }[] };
    };
    stored.report.entries[0].finding.message = 'served from the cache';
    writeFileSync(entry, JSON.stringify(stored));
    assert.match(cli(['check'], project).stdout, /MLH301 served from the cache/);
    // --no-cache, a changed file and a changed configuration all lint afresh.
    assert.doesNotMatch(cli(['check', '--no-cache'], project).stdout, /served from the cache/);
    writeFileSync(
      join(project, 'pyproject.toml'),
      `[tool.mlhygiene]\n${FOUR_RULES}\nseverity = { MLH301 = "error" }\n`,
    );
    assert.doesNotMatch(cli(['check'], project).stdout, /served from the cache/);
    writeFileSync(join(project, 'job.py'), 'import pickle\n\nx = pickle.loads(b)\n');
    assert.match(cli(['check'], project).stdout, /^job\.py:3:5: MLH301 pickle/m);
  });

  it('lints a cached file again when a project file its rules read changes (a torch pin)', () => {
    const project = join(dir, 'pinned');
    mkdirSync(project);
    writeFileSync(join(project, 'pyproject.toml'), `[tool.mlhygiene]\n${FOUR_RULES}\n`);
    writeFileSync(join(project, 'load.py'), 'import torch\n\nstate = torch.load("ckpt.pt")\n');
    writeFileSync(join(project, 'requirements.txt'), 'torch==2.1.0\n');
    const json = () =>
      JSON.parse(cli(['check', '--output-format', 'json', '--exit-zero'], project).stdout) as {
        findings: { severity: string; message: string }[];
      };
    assert.deepEqual(
      json().findings.map((f) => f.severity),
      ['warning'],
    );
    // Only requirements.txt changes: the cached report for load.py must not be reused.
    writeFileSync(join(project, 'requirements.txt'), 'torch==2.6.0\n');
    const [pinned] = json().findings;
    assert.equal(pinned.severity, 'information');
    assert.match(pinned.message, /pinned in requirements\.txt/);
  });

  it("--stdin-filename lints stdin as that file, with its folder's configuration", () => {
    const run = cli(
      ['check', '--stdin-filename', 'src/piped.py'],
      dir,
      'import yaml\ncfg = yaml.load(text)\n',
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^src\/piped\.py:2:7: MLH301 `yaml\.load` without a safe Loader/m);
  });
});
