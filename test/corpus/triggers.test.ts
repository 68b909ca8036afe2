import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ConfigLocator } from '../../server/src/config/load';
import { DEFAULT_EDITOR_SETTINGS } from '../../server/src/config/schema';
import { ensureEngine, lint, type Finding } from '../../server/src/engine/lint';
import { resolveSettings } from '../../server/src/engine/selection';
import { RULES } from '../../server/src/rules';
import type { Rule } from '../../server/src/rules/types';
import { discoverFiles } from '../../server/src/workspace/discovery';
import { loadFile } from '../../server/src/workspace/files';
import { notebookSource, pythonSource } from '../../server/src/engine/source';
import * as runtime from '../../server/src/parsing/runtime';

/**
 * Triggers let the engine skip rules (and whole files) without parsing, so they must be sound: a
 * rule never reports in a file that holds none of its triggers. Each file is linted twice, with
 * the triggers and with every rule forced to run, and the findings must be the same.
 *
 * By default this runs on the test fixtures and a sample of the scikit-learn corpus; set
 * MLHYGIENE_TRIGGER_CORPUS=1 for the whole corpus plus this machine's Python stdlib and
 * site-packages (several minutes), or to a list of folders separated by the path delimiter.
 */

const ROOT = join(__dirname, '..', '..', '..');
const SAMPLE = 40;

function corpus(): string | undefined {
  const fetch = spawnSync(process.execPath, [join(ROOT, 'scripts', 'corpus.mjs')], {
    encoding: 'utf8',
  });
  return fetch.status === 0 ? fetch.stdout.trim() : undefined;
}

function pythonTree(): string[] {
  const probe = spawnSync(
    'python3',
    ['-c', 'import sysconfig as s;print(s.get_paths()["stdlib"]);print(s.get_paths()["purelib"])'],
    { encoding: 'utf8' },
  );
  return probe.status === 0 ? probe.stdout.trim().split('\n') : [];
}

function filesToCheck(): string[] {
  const configs = new ConfigLocator();
  const fixtures = discoverFiles([join(ROOT, 'test', 'fixtures')], configs).files;
  const wanted = process.env.MLHYGIENE_TRIGGER_CORPUS;
  const sklearn = corpus();
  if (!wanted) {
    if (!sklearn) return fixtures;
    const files = discoverFiles([sklearn], configs).files;
    // Every n-th file, so the sample spans scripts and notebooks.
    const step = Math.max(1, Math.floor(files.length / SAMPLE));
    return [...fixtures, ...files.filter((_, i) => i % step === 0)];
  }
  const roots =
    wanted === '1'
      ? [...(sklearn ? [sklearn] : []), ...pythonTree()]
      : wanted.split(process.platform === 'win32' ? ';' : ':');
  return [...fixtures, ...discoverFiles(roots, configs).files];
}

const shown = (findings: Finding[]) =>
  findings.map((f) => `${f.code} ${f.start}-${f.end} ${f.severity} ${f.message}`);

describe('rule triggers are sound: skipping by trigger never loses a finding', () => {
  before(() => ensureEngine());

  it('finds the same with and without triggers on every file', () => {
    const configs = new ConfigLocator();
    // Every rule selected by code, so that rules off by default in tests run there too.
    const editor = { ...DEFAULT_EDITOR_SETTINGS, select: RULES.map((r) => r.code) };
    const triggered = RULES.filter((r) => r.triggers);
    assert.equal(triggered.length, RULES.length, 'every rule declares triggers');
    const saved = new Map<Rule, Rule['triggers']>(triggered.map((r) => [r, r.triggers]));
    const files = filesToCheck();
    const firing = new Map<string, number>();
    let compared = 0;
    for (const path of files) {
      let source;
      try {
        source = loadFile(path).source;
      } catch {
        continue;
      }
      const settings = resolveSettings(configs.forFile(path), editor);
      const withTriggers = lint(source, settings);
      for (const rule of triggered) (rule as { triggers?: readonly string[] }).triggers = undefined;
      let everyRule;
      try {
        everyRule = lint(source, settings);
      } finally {
        for (const [rule, triggers] of saved)
          (rule as { triggers?: typeof triggers }).triggers = triggers;
      }
      assert.deepEqual(shown(withTriggers.findings), shown(everyRule.findings), path);
      for (const f of everyRule.findings) firing.set(f.code, (firing.get(f.code) ?? 0) + 1);
      compared++;
    }
    assert.ok(compared >= Math.min(files.length, 20), `only ${compared} files compared`);
    // The comparison means something only if rules fire on these files.
    assert.ok(firing.size >= 10, `only ${[...firing.keys()].join(', ')} fired`);
  });

  it('matches triggers against stored outputs: a token only in an output is still reported', () => {
    // The code cell holds no MLH601 trigger; only its stored output does.
    const file = notebookSource('/project/nb.ipynb', [
      { kind: 'code', source: 'x = 1\nx', outputs: 'hf_JhB3Z45HGr1lMegDZDQPYhJd0qr75asKNk\n' },
    ]);
    const settings = resolveSettings(
      { config: {}, messages: [] },
      { ...DEFAULT_EDITOR_SETTINGS, select: ['MLH601'] },
    );
    const { findings } = lint(file, settings);
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'The stored output of this cell shows a Hugging Face token "hf_J…"; clear the notebook\'s outputs and revoke the exposed token',
      ],
    );
  });

  it('skips a file with no trigger of any enabled rule before parsing it', () => {
    const settings = resolveSettings(
      { config: {}, messages: [] },
      { ...DEFAULT_EDITOR_SETTINGS, select: ['MLH102'] },
    );
    // The engine calls the parser through the module's exports, so a wrapper sees every parse.
    const parsing = runtime as { parsePython: typeof runtime.parsePython };
    const parse = parsing.parsePython;
    const parsed: string[] = [];
    parsing.parsePython = (text, ...rest) => {
      parsed.push(text);
      return parse(text, ...rest);
    };
    try {
      const skipped = lint(pythonSource('/project/a.py', 'x = 1\n'), settings);
      const linted = lint(
        pythonSource('/project/b.py', 'try:\n    go()\nexcept:\n    pass\n'),
        settings,
      );
      assert.deepEqual(skipped.findings, []);
      assert.deepEqual(
        linted.findings.map((f) => f.code),
        ['MLH102'],
      );
    } finally {
      parsing.parsePython = parse;
    }
    assert.deepEqual(parsed, ['try:\n    go()\nexcept:\n    pass\n']);
  });
});
