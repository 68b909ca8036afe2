import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIXTURES = join(ROOT, 'test', 'fixtures');

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonFinding {
  path: string;
  code: string;
  cell?: number;
  line: number;
  severity: string;
  message: string;
  fixes: { title: string; safety: string }[];
}

/** MLH302/MLH303 over the fixture apps, the training script and the notebook, as users run them. */
describe('CLI on the serving and dataframe fixtures (MLH302, MLH303)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-serving-'));
    cpSync(join(FIXTURES, 'serving'), join(dir, 'serving'), { recursive: true });
    cpSync(join(FIXTURES, 'dataframes'), join(dir, 'dataframes'), { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const check = (...extra: string[]) =>
    cli(
      ['check', 'dataframes', 'serving', '--select', 'MLH302,MLH303', '--no-cache', ...extra],
      dir,
    );

  it('reports the unvalidated handlers and reads, and only those', () => {
    const run = check('--output-format', 'json');
    assert.equal(run.code, 1, run.stderr);
    const { findings } = JSON.parse(run.stdout) as { findings: JsonFinding[] };
    assert.deepEqual(
      findings.map((f) => [f.path, f.code, f.cell ?? null, f.line, f.severity]),
      [
        ['dataframes/churn.ipynb', 'MLH302', 2, 4, 'information'],
        ['dataframes/train_churn.py', 'MLH302', null, 12, 'warning'],
        ['serving/fastapi_app.py', 'MLH303', null, 33, 'warning'],
        ['serving/fastapi_app.py', 'MLH303', null, 40, 'warning'],
        ['serving/flask_app.py', 'MLH303', null, 31, 'warning'],
        ['serving/flask_app.py', 'MLH303', null, 40, 'warning'],
        ['serving/flask_app.py', 'MLH303', null, 48, 'warning'],
      ],
    );
    assert.match(findings[0].message, /is merged in `customers\.merge\(\)` \(cell 5, line 1\)/);
    assert.deepEqual(findings[0].fixes, [
      {
        title: 'Check the columns the code uses (tenure, plan_id) right after the read',
        safety: 'unsafe',
      },
    ]);
    // Only handlers that read fields by name get the 400 guard.
    assert.deepEqual(
      findings.filter((f) => f.code === 'MLH303').map((f) => f.fixes.length),
      [1, 1, 1, 0, 0],
    );
  });

  it('--fix alone leaves the unsafe fixes for review', () => {
    const run = check();
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^Found 7 problems in 4 files\.$/m);
  });

  it('--fix --unsafe-fixes inserts the checks and the guards; what is left has no fix', () => {
    const run = check('--fix', '--unsafe-fixes');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /after fixing 5/);
    const flask = readFileSync(join(dir, 'serving', 'flask_app.py'), 'utf8');
    assert.ok(
      flask.includes(
        '    payload = request.get_json()\n' +
          '    missing = [k for k in ("tenure", "monthly_charges", "contract") if k not in payload]\n' +
          '    if missing:\n' +
          '        abort(400, f"missing fields: {missing}")\n',
      ),
    );
    const notebook = JSON.parse(readFileSync(join(dir, 'dataframes', 'churn.ipynb'), 'utf8')) as {
      cells: { source: string[] }[];
    };
    assert.deepEqual(notebook.cells[1].source.slice(3, 7), [
      'customers = pd.read_csv("exports/customers.csv")\n',
      'missing = {"tenure", "plan_id"} - set(customers.columns)\n',
      'if missing:\n',
      '    raise ValueError(f"missing columns in customers.csv: {sorted(missing)}")\n',
    ]);
    // The two Flask handlers without named fields stay reported, now with nothing to apply.
    const again = check('--output-format', 'json');
    const { findings } = JSON.parse(again.stdout) as { findings: JsonFinding[] };
    assert.deepEqual(
      findings.map((f) => [f.path, f.line, f.fixes.length]),
      [
        ['serving/flask_app.py', 43, 0],
        ['serving/flask_app.py', 51, 0],
      ],
    );
  });
});
