import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigLocator, type LoadedProjectConfig } from '../../server/src/config/load';
import { DEFAULT_EDITOR_SETTINGS, sanitizeEditorSettings } from '../../server/src/config/schema';
import { activeRules, resolveSettings } from '../../server/src/engine/selection';
import { RULES } from '../../server/src/rules';
import { ensureEngine, lint } from '../../server/src/engine/lint';
import { pythonSource } from '../../server/src/engine/source';

describe('configuration', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-config-'));
    await ensureEngine();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const project = (name: string, toml: string) => {
    const folder = join(dir, name);
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'pyproject.toml'), toml);
    return folder;
  };

  it('finds the nearest pyproject.toml with a [tool.mlhygiene] table', () => {
    const folder = project('nearest', '[tool.mlhygiene]\nignore = ["MLH1"]\n');
    writeFileSync(join(folder, 'src', 'pyproject.toml'), '[project]\nname = "inner"\n');
    const loaded = new ConfigLocator().forFile(join(folder, 'src', 'job.py'));
    assert.equal(loaded.file, join(folder, 'pyproject.toml'));
    assert.deepEqual(loaded.config.ignore, ['MLH1']);
  });

  it('reports invalid TOML with the file and position, and falls back to defaults', () => {
    const folder = project('broken', '[tool.mlhygiene\nignore = [\n');
    const loaded = new ConfigLocator().forFile(join(folder, 'job.py'));
    assert.deepEqual(loaded.config, {});
    assert.equal(loaded.messages.length, 1);
    assert.match(
      loaded.messages[0].message,
      /invalid TOML \(line 1, column \d+: .*\); mlhygiene uses its defaults/,
    );
    assert.equal(loaded.messages[0].file, join(folder, 'pyproject.toml'));
  });

  it('keeps good keys when others have wrong types or are unknown', () => {
    const folder = project(
      'mixed',
      '[tool.mlhygiene]\nselect = "MLH3"\nignore = ["MLH102"]\nprofile = "fast"\nseverty = {}\n',
    );
    const loaded = new ConfigLocator().forFile(join(folder, 'job.py'));
    assert.deepEqual(loaded.config, { ignore: ['MLH102'] });
    assert.deepEqual(
      loaded.messages.map((m) => m.message.split(':')[0]),
      [
        '[tool.mlhygiene] select',
        '[tool.mlhygiene] profile',
        '[tool.mlhygiene] unknown key "severty" is ignored',
      ],
    );
  });

  it('resolves select / extend-select / ignore by code, prefix and name, and per-file-ignores', () => {
    const settings = resolveSettings({
      root: '/p',
      config: {
        select: ['MLH30', 'hardcoded-absolute-path'],
        'extend-select': ['MLH102'],
        ignore: [],
        'per-file-ignores': { 'notebooks/*.py': ['MLH201'] },
      },
      messages: [],
    });
    // A prefix selects every rule whose code starts with it.
    const prefixed = RULES.filter((r) => r.code.startsWith('MLH30')).map((r) => r.code);
    assert.ok(prefixed.includes('MLH301'));
    assert.deepEqual([...settings.selected].sort(), ['MLH102', 'MLH201', ...prefixed].sort());
    const codes = (path: string) => activeRules(settings, path, 'script').map((r) => r.rule.code);
    assert.deepEqual(codes('/p/notebooks/a.py'), ['MLH102', ...prefixed]);
    assert.deepEqual(codes('/p/src/a.py'), ['MLH102', 'MLH201', ...prefixed]);
  });

  it('lets an editor/CLI select start a new selection (project ignores no longer apply), and override severity', () => {
    const project: LoadedProjectConfig = {
      config: {
        select: ['MLH102', 'MLH201', 'MLH301'],
        ignore: ['MLH102', 'MLH301'],
        'extend-select': ['MLH401'],
        severity: { MLH301: 'error' },
      },
      messages: [],
    };
    const settings = resolveSettings(project, {
      ...DEFAULT_EDITOR_SETTINGS,
      select: ['swallowed-exception', 'MLH301'],
      ignore: ['MLH102'],
      severity: { 'unsafe-deserialization': 'hint' },
    });
    assert.deepEqual(
      activeRules(settings, '/x/train.py', 'script').map((r) => [r.rule.code, r.severity]),
      [['MLH301', 'hint']],
    );
    // Without an editor select the project's layers apply as written.
    const projectOnly = resolveSettings(project, { ...DEFAULT_EDITOR_SETTINGS });
    assert.deepEqual(
      activeRules(projectOnly, '/x/train.py', 'script').map((r) => r.rule.code),
      ['MLH201', 'MLH401'],
    );
  });

  it('keeps default-off scopes off: tests only get the security rules unless a rule is named', () => {
    const security = ['MLH301', 'MLH305', 'MLH601'];
    const settings = resolveSettings({ config: { severity: { MLH201: 'error' } }, messages: [] });
    for (const { rule } of activeRules(settings, '/x/tests/test_train.py', 'test')) {
      assert.ok(security.includes(rule.code), `${rule.code} must be off in tests by default`);
    }
    const named = resolveSettings({
      config: { select: ['hardcoded-absolute-path', 'MLH1', 'MLH301'] },
      messages: [],
    });
    assert.deepEqual(
      activeRules(named, '/x/tests/test_train.py', 'test').map((r) => [r.rule.code, r.severity]),
      [
        ['MLH201', 'warning'],
        ['MLH301', 'warning'],
      ],
    );
  });

  it('judges test folders below the project root only', () => {
    const settings = resolveSettings({ root: '/home/me/tests/proj', config: {}, messages: [] });
    const codes = (path: string) =>
      lint(
        pythonSource(path, 'import pickle\npickle.loads(b)\nopen("/home/me/a.txt")\n'),
        settings,
      ).findings.map((f) => f.code);
    assert.deepEqual(codes('/home/me/tests/proj/src/train.py'), ['MLH301', 'MLH201']);
    assert.deepEqual(codes('/home/me/tests/proj/tests/helpers.py'), ['MLH301']);
    assert.deepEqual(codes('/home/me/tests/proj/src/test_train.py'), ['MLH301']);
  });

  it('reports unknown selectors instead of ignoring them silently', () => {
    const settings = resolveSettings({
      file: '/p/pyproject.toml',
      config: { ignore: ['MLH999', 'no-such-rule'] },
      messages: [],
    });
    assert.deepEqual(settings.messages, [
      '/p/pyproject.toml: unknown rule "MLH999"',
      '/p/pyproject.toml: unknown rule "no-such-rule"',
    ]);
  });

  it('sanitizes editor settings: a bad value keeps its default and is reported', () => {
    const { settings, problems } = sanitizeEditorSettings({
      enable: 'yes',
      run: 'onSave',
      ignore: ['MLH201'],
    });
    assert.equal(settings.enable, true);
    assert.equal(settings.run, 'onSave');
    assert.deepEqual(settings.ignore, ['MLH201']);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^mlhygiene\.enable: .*; using the default$/);
  });

  describe('suppressions', () => {
    const settings = () => resolveSettings({ config: {}, messages: [] });
    const codes = (text: string) =>
      lint(pythonSource('/x/job.py', text), settings()).findings.map((f) => f.code);

    it('honours # noqa, # noqa: CODE and # mlhygiene: ignore[name] on the line only', () => {
      assert.deepEqual(codes('import pickle\na = pickle.loads(b)  # noqa\nc = pickle.loads(d)\n'), [
        'MLH301',
      ]);
      assert.deepEqual(codes('import pickle\na = pickle.loads(b)  # noqa: MLH201\n'), ['MLH301']);
      assert.deepEqual(codes('import pickle\na = pickle.loads(b)  # noqa: MLH201, MLH301\n'), []);
      assert.deepEqual(
        codes('import pickle\na = pickle.loads(b)  # mlhygiene: ignore[unsafe-deserialization]\n'),
        [],
      );
    });

    it('honours file-level ignores, and not the same text inside a string', () => {
      assert.deepEqual(
        codes('# mlhygiene: ignore-file[MLH3]\nimport pickle\na = pickle.loads(b)\n'),
        [],
      );
      assert.deepEqual(codes('import pickle\na = pickle.loads("# noqa")\n'), ['MLH301']);
    });
  });
});
