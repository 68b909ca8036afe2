import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_EDITOR_SETTINGS } from '../../server/src/config/schema';
import { ensureEngine, lint } from '../../server/src/engine/lint';
import { resolveSettings } from '../../server/src/engine/selection';
import { pythonSource } from '../../server/src/engine/source';
import { fixAll } from '../../server/src/fixes/fixAll';
import { bracketDepth, indentationDepth } from '../../server/src/parsing/guard';
import { RULES } from '../../server/src/rules';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PICKLE = 'import pickle\n\nmodel = pickle.loads(blob)\n';

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function notebook(cells: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells, ...extra });
}

describe('hostile files through the CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-hostile-'));
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.mlhygiene]\nselect = ["MLH301"]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return name;
  };

  const invalidNotebooks: [string, string, RegExp][] = [
    ['truncated JSON', '{"cells": [', /invalid JSON at line 1, column 12/],
    [
      'nbformat 3',
      '{"nbformat": 3, "worksheets": []}',
      /nbformat 3 is not supported \(nbformat 4 is required\)/,
    ],
    ['no cells', '{"nbformat": 4, "metadata": {}}', /missing "cells" list/],
    [
      'a number as source',
      notebook([{ cell_type: 'code', source: 5 }]),
      /cell 1: "source" must be a string or a list of strings/,
    ],
    [
      'null as source',
      notebook([{ cell_type: 'code', source: null }]),
      /cell 1: "source" must be a string or a list of strings/,
    ],
    [
      'a nested list as source',
      notebook([
        { cell_type: 'markdown', source: ['x'] },
        { cell_type: 'code', source: [['a']] },
      ]),
      /cell 2: "source" must be a string or a list of strings/,
    ],
  ];
  for (const [label, content, message] of invalidNotebooks) {
    it(`reports a notebook with ${label} as an error naming the problem, and lints the rest`, () => {
      const folder = `bad-${label.replace(/\W+/g, '-')}`;
      write(`${folder}/nb.ipynb`, content);
      write(`${folder}/ok.py`, PICKLE);
      const run = cli(['check', folder], dir);
      assert.equal(run.code, 2);
      assert.equal(
        run.stderr.replace(message, '<reason>'),
        `error: ${folder}/nb.ipynb: not a valid notebook: <reason>\n`,
      );
      assert.match(run.stdout, new RegExp(`^${folder}/ok\\.py:3:9: MLH301`, 'm'));
    });
  }

  it('lints a notebook whose outputs hold megabytes of base64 image data', () => {
    const png = Buffer.alloc(3_000_000, 7).toString('base64');
    write(
      'blob.ipynb',
      notebook([
        {
          cell_type: 'code',
          metadata: {},
          execution_count: 1,
          source: ['import pickle\n', 'model = pickle.loads(blob)\n'],
          outputs: [
            {
              output_type: 'display_data',
              metadata: {},
              data: { 'image/png': png, 'text/plain': ['<Figure>'] },
            },
          ],
        },
      ]),
    );
    const run = cli(['check', 'blob.ipynb'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^blob\.ipynb:cell 1:2:9: MLH301 /m);
  });

  it('skips a 10 MB script with a warning naming the limit; exit code from the rest', () => {
    const line = 'value = compute(1, 2, 3)  # padding to make a generated module\n';
    write('big/huge.py', PICKLE + line.repeat(Math.ceil(10_000_000 / line.length)));
    write('big/small.py', 'x = 1\n');
    const run = cli(['check', 'big', '--no-cache'], dir);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, 'All checks passed!\n');
    assert.equal(
      run.stderr,
      'warning: big/huge.py: ML Hygiene skipped this file: 9.5 MiB of Python is above the limit of ' +
        '1.0 MiB (max-file-size in [tool.mlhygiene], or the mlhygiene.maxFileSize setting)\n',
    );
  });

  it('honours max-file-size from pyproject.toml, 0 meaning no limit', () => {
    write('limit/pyproject.toml', '[tool.mlhygiene]\nselect = ["MLH301"]\nmax-file-size = 100\n');
    write('limit/a.py', PICKLE + '# ' + 'x'.repeat(200) + '\n');
    const limited = cli(['check', 'limit/a.py', '--no-cache'], dir);
    assert.equal(limited.code, 0);
    assert.match(limited.stderr, /skipped this file: 1 KiB of Python is above the limit of 1 KiB/);
    write('limit/pyproject.toml', '[tool.mlhygiene]\nselect = ["MLH301"]\nmax-file-size = 0\n');
    const unlimited = cli(['check', 'limit/a.py', '--no-cache'], dir);
    assert.equal(unlimited.code, 1);
    assert.equal(unlimited.stderr, '');
  });

  it('skips statements nested deeper than the parser can take, saying why', () => {
    let text = 'import pickle\n';
    for (let i = 0; i < 600; i++) text += ' '.repeat(i) + `if f("${i}"):\n`;
    text += ' '.repeat(600) + 'model = pickle.loads(blob)\n';
    write('deep.py', text);
    const run = cli(['check', 'deep.py', '--no-cache'], dir);
    assert.equal(run.code, 0);
    assert.match(
      run.stderr,
      /^warning: deep\.py: ML Hygiene skipped this file: statements are nested 600 levels deep, more than the 256 it can parse safely/,
    );
  });

  it('reads bytes that are not UTF-8 with a warning and never writes fixes into them', () => {
    const bytes = Buffer.concat([
      Buffer.from('import torch\nlabel = "'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"\nstate = torch.load("w.pt")\n'),
    ]);
    write('latin/pyproject.toml', '[tool.mlhygiene]\nselect = ["MLH301"]\n');
    write('latin/enc.py', bytes);
    const run = cli(['check', 'latin/enc.py', '--no-cache'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^latin\/enc\.py:3:9: MLH301 /m);
    assert.match(
      run.stderr,
      /warning: latin\/enc\.py: not valid UTF-8 \(byte 0xff at line 2\): read with replacement characters\n/,
    );
    const fixing = cli(['check', 'latin/enc.py', '--fix', '--unsafe-fixes'], dir);
    assert.match(fixing.stderr, /fixes are not written to it/);
    assert.deepEqual(readFileSync(join(dir, 'latin/enc.py')), bytes);
  });

  it('lints around a NUL byte', () => {
    write('nul.py', 'import pickle\nx = "\0"\nmodel = pickle.loads(blob)\n');
    const run = cli(['check', 'nul.py', '--no-cache'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^nul\.py:3:9: MLH301 /m);
  });

  // Columns are 1-based UTF-16 code units, as in SARIF (its default column kind) and the editor.
  it('counts CRLF and lone CR as line ends, and columns in UTF-16 code units from 1', () => {
    write('crlf.py', PICKLE.replace(/\n/g, '\r\n'));
    write('cr.py', PICKLE.replace(/\n/g, '\r'));
    write('astral.py', 'import pickle\nx = "😀😀"; model = pickle.loads(blob)\n');
    const run = cli(['check', 'crlf.py', 'cr.py', 'astral.py', '--no-cache'], dir);
    assert.deepEqual(
      run.stdout
        .split('\n')
        .filter((l) => l.includes('MLH301'))
        .map((l) => l.split(' ')[0])
        .sort(),
      ['astral.py:2:21:', 'cr.py:3:9:', 'crlf.py:3:9:'],
    );
  });

  it('keeps CRLF line endings when --fix inserts lines', () => {
    write(
      'fixcrlf/pyproject.toml',
      '[tool.mlhygiene]\nselect = ["MLH301"]\n'.replace(/\n/g, '\r\n'),
    );
    const source = 'import torch\r\n\r\nstate = torch.load("w.pt")\r\nprint(state)\r\n';
    write('fixcrlf/a.py', source);
    cli(['check', 'fixcrlf/a.py', '--fix', '--unsafe-fixes'], dir);
    const fixed = readFileSync(join(dir, 'fixcrlf/a.py'), 'utf8');
    assert.notEqual(fixed, source, 'the fix was applied');
    assert.equal(fixed.replace(/\r\n/g, '').includes('\n'), false, `mixed endings: ${fixed}`);
  });

  it('names a FIFO given on the command line instead of blocking on it', () => {
    execFileSync('mkfifo', [join(dir, 'pipe.py')]);
    const run = cli(['check', 'pipe.py'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: pipe\.py: not a regular file or folder/);
    rmSync(join(dir, 'pipe.py'));
  });

  it('reports invalid TOML and wrong types naming the file and key, and keeps the rest', () => {
    write('cfg/bad-toml/pyproject.toml', '[tool.mlhygiene]\nselect = ["MLH301"\n');
    write('cfg/bad-toml/a.py', PICKLE + 'data = open("/home/me/data.csv")\n');
    const toml = cli(['check', 'cfg/bad-toml', '--no-cache'], dir);
    assert.match(
      toml.stderr,
      /warning: .*cfg\/bad-toml\/pyproject\.toml: invalid TOML \(line 3, column 1: .*\); mlhygiene uses its defaults/,
    );
    // The defaults apply: every rule runs, so both the path and the load are reported.
    assert.match(toml.stdout, /MLH301/);
    assert.match(toml.stdout, /MLH201/);

    write(
      'cfg/types/pyproject.toml',
      '[tool.mlhygiene]\nselect = ["MLH301", "MLH201"]\nmax-file-size = "big"\nseverity = { MLH301 = "loud" }\nrule-timeout = -1\n',
    );
    write('cfg/types/a.py', PICKLE + 'data = open("/home/me/data.csv")\n');
    const types = cli(['check', 'cfg/types', '--no-cache'], dir);
    const warnings = types.stderr.split('\n').filter(Boolean);
    assert.equal(warnings.length, 3, types.stderr);
    assert.match(
      warnings[0],
      /pyproject\.toml: \[tool\.mlhygiene\] max-file-size: .*; the default is used$/,
    );
    assert.match(
      warnings[1],
      /pyproject\.toml: \[tool\.mlhygiene\] severity\.MLH301: .*; the default is used$/,
    );
    assert.match(
      warnings[2],
      /pyproject\.toml: \[tool\.mlhygiene\] rule-timeout: .*; the default is used$/,
    );
    // `select` still applies, and MLH301 keeps its default severity.
    assert.deepEqual(
      types.stdout
        .split('\n')
        .filter((l) => l.startsWith('cfg/'))
        .map((l) => l.split(' ')[1]),
      ['MLH301', 'MLH201'],
    );
  });
});

describe('fault injection through the CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-fault-'));
    writeFileSync(join(dir, 'a.py'), PICKLE + 'print(model)\n'.repeat(40));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reports a throwing rule as an internal error with its code, and the other rules' findings", () => {
    const env = { ...process.env, MLHYGIENE_FAULT_INJECTION: 'MLH101:throw' };
    const run = cli(['check', 'a.py', '--no-cache', '--select', 'MLH101,MLH301'], dir, env);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /^a\.py:3:9: MLH301 /m);
    assert.doesNotMatch(run.stdout, /MLH101/);
    assert.match(
      run.stderr,
      /^error: a\.py: internal error in rule MLH101: Error: fault injected into MLH101 by MLHYGIENE_FAULT_INJECTION$/m,
    );
  });

  it('stops a rule past rule-timeout and warns that it was cut short', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.mlhygiene]\nrule-timeout = 100\n');
    const env = { ...process.env, MLHYGIENE_FAULT_INJECTION: 'MLH101:slow' };
    const run = cli(['check', 'a.py', '--no-cache', '--select', 'MLH101,MLH301'], dir, env);
    assert.match(run.stdout, /^a\.py:3:9: MLH301 /m);
    assert.match(
      run.stderr,
      /^warning: a\.py: MLH101 \(print-instead-of-logging\) was stopped after 100 ms on this file \(rule-timeout\); its findings here may be incomplete$/m,
    );
    // Far fewer than the 40 prints were visited before the budget ran out.
    const prints = run.stdout.split('\n').filter((l) => l.includes('MLH101')).length;
    assert.ok(prints < 40, `${prints} prints reported`);
  });
});

/** Shapes nested 5,000 deep; each also holds something most rules look at. */
const N = 5000;
const DEEP: Record<string, string> = {
  parentheses: `x = ${'('.repeat(N)}pickle.loads(b)${')'.repeat(N)}\n`,
  calls: `x = ${'f('.repeat(N)}torch.load("/abs/m.pt")${')'.repeat(N)}\n`,
  lists: `x = ${'['.repeat(N)}"/abs/p"${']'.repeat(N)}\nopen(x)\n`,
  dicts: `d = ${'{"a": '.repeat(N)}"s3://b/k"${'}'.repeat(N)}\nAutoModel.from_pretrained("bert-base", **d)\n`,
  lambdas: `f = ${'lambda: '.repeat(N)}pickle.loads(b)\n`,
  'binary operators': `p = "/data/" + ${Array(N).fill('a').join(' + ')}\nopen(p)\ntorch.load(p)\n`,
  'attribute chain': `y = model${'.b'.repeat(N)}\njoblib.dump(y, "m.pkl")\nprint(y)\n`,
  'subscript chain': `df = pd.read_csv("d.csv")\nx = df${'["a"]'.repeat(N)}\nmodel.fit(x)\n`,
  'argv subscripts': `y = sys.argv${'[0]'.repeat(N)}\nopen(y)\nint(y)\n`,
  'nested tuple target': `${'('.repeat(N)}a,${')'.repeat(N)} = 1\nopen(a)\n`,
  'not operators': `x = ${'not '.repeat(N)}a\n`,
  'conditional expressions': `x = ${Array(N).fill('pickle.loads(b)').join(' if c else ')}\n`,
  comparisons: `x = ${Array(N).fill('a').join(' < ')}\n`,
  'boolean operators': `if ${Array(N).fill('a').join(' and ')}:\n    pass\n`,
  'string concatenation': `p = ${Array(N).fill('"/x"').join(' ')}\nopen(p)\n`,
  'name chain': `v0 = "/abs/p"\n${Array.from({ length: N }, (_, i) => `v${i + 1} = v${i}\n`).join('')}open(v${N})\ntorch.load(v${N})\njoblib.dump(m, v${N})\neval(v${N})\n`,
  'path division': `p = Path("/a")${' / "b"'.repeat(N)}\nopen(p)\ntorch.save(m, p)\n`,
  'await chain': `async def g():\n    x = ${'await '.repeat(N)}a\n`,
  'eval of calls': `x = ${'f('.repeat(N)}eval(s)${')'.repeat(N)}\n`,
  'repr sum': `x = ${Array(N).fill('repr(a)').join(' + ')}\neval(x)\n`,
  'bytes sum': `x = b${' + b"a"'.repeat(N)}\npickle.loads(x)\n`,
  'secret sum': `key = ${Array(N).fill('"sk-abcdefghijklmnopqrstuvwx"').join(' + ')}\n`,
  'request sum': `@app.route("/")\ndef h():\n    d = request.json\n    x = ${Array(N).fill('d').join(' + ')}\n    return model.predict(x)\n`,
  'indentation (skipped)': Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}if x:\n`).join(
    '',
  ),
};
const PRELUDE =
  'import pickle, torch, joblib, os, sys, logging\nimport pandas as pd\nfrom pathlib import Path\n' +
  'from flask import Flask, request\nfrom transformers import AutoModel\napp = Flask(__name__)\n';

describe('5,000-deep nesting: every rule (and every fix with MLHYGIENE_STRESS=1), no recursion overflow', () => {
  before(() => ensureEngine());
  const resolved = resolveSettings(
    // A short budget keeps the suite quick; a recursion overflows within one visit, long before.
    { config: { 'max-file-size': 0, 'rule-timeout': 250 }, messages: [] },
    DEFAULT_EDITOR_SETTINGS,
  );
  // Files nested this deep in brackets are skipped by default; here every rule must walk them.
  const settings = { ...resolved, limits: { ...resolved.limits, maxBracketDepth: Infinity } };
  for (const [shape, body] of Object.entries(DEEP)) {
    it(shape, () => {
      const file = pythonSource('/project/deep.py', PRELUDE + body);
      const result = lint(file, settings);
      assert.deepEqual(result.internalErrors, []);
      assert.equal(settings.selected.size, RULES.length);
      // Fixing re-lints up to ten times: opt-in (MLHYGIENE_STRESS=1) to keep `npm test` quick.
      if (!process.env.MLHYGIENE_STRESS) return;
      const fixed = fixAll(file, settings, { unsafe: true });
      assert.deepEqual(fixed.result.internalErrors, []);
    });
  }

  it('skips, by default, brackets nested deeper than CPython accepts, saying why', () => {
    const file = pythonSource('/project/deep.py', PRELUDE + DEEP.calls);
    const result = lint(file, resolved);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(
      result.notices.map((n) => n.message),
      [
        'ML Hygiene skipped this file: brackets are nested 5001 levels deep, more than the 256 it lints (CPython itself stops at 200)',
      ],
    );
  });

  it('counts brackets as the tokenizer does: not in strings or comments', () => {
    assert.equal(bracketDepth('f(g([1, {2: (3)}]))\n'), 5);
    assert.equal(bracketDepth(`s = "${'('.repeat(300)}"\n# ${'['.repeat(300)}\nx = (1)\n`), 1);
    assert.equal(bracketDepth(`d = '''\n${'{'.repeat(300)}\n'''\ny = [[0]]\n`), 2);
    assert.equal(bracketDepth(`t = 'it\\'s (' + f(1)\n`), 1);
    // An unterminated string ends at its line; what follows is counted again.
    assert.equal(bracketDepth(`u = "open\nv = ((1))\n`), 2);
  });

  it('measures indentation as Python does: tabs to multiples of 8, any line end', () => {
    assert.equal(indentationDepth('if a:\r\tif b:\r\t\tx\r'), 2);
    assert.equal(indentationDepth('if a:\n    # comment\n\n    x\n        y\n  z\n'), 2);
    assert.equal(indentationDepth(''), 0);
  });
});
