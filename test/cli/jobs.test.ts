import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileLinter, type FileOutcome, type LintJobOptions } from '../../server/src/cli/lintFile';
import { lintInWorkers } from '../../server/src/cli/pool';
import { runCli } from '../../server/src/cli/run';
import { ensureEngine } from '../../server/src/engine/lint';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIXTURES = join(ROOT, 'test', 'fixtures');

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MLHYGIENE_JOBS: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A project with scripts and notebooks that many rules report on, some with safe fixes. */
function project(parent: string, name: string): string {
  const dir = join(parent, name);
  for (const folder of ['training', 'serving', 'dataframes', 'notebooks', 'secrets']) {
    cpSync(join(FIXTURES, folder), join(dir, folder), { recursive: true });
  }
  return dir;
}

/** Every file under a folder (cache excluded) with its content, by relative path. */
function contents(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (path.includes('.mlhygiene_cache')) continue;
    files[relative(dir, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

function cacheEntries(dir: string): string[] {
  return readdirSync(join(dir, '.mlhygiene_cache'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('mlhygiene check --jobs: worker threads give the single-threaded answer', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-jobs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the same JSON report with 1 and 2 threads', () => {
    const tree = project(dir, 'report');
    const one = cli(['check', '--output-format', 'json', '--no-cache', '--jobs', '1'], tree);
    const two = cli(['check', '--output-format', 'json', '--no-cache', '--jobs', '2'], tree);
    assert.equal(one.code, 1, one.stderr);
    assert.equal(two.code, 1, two.stderr);
    const report = JSON.parse(one.stdout) as { files: number; findings: { code: string }[] };
    assert.ok(report.files >= 15, `only ${report.files} files`);
    assert.ok(new Set(report.findings.map((f) => f.code)).size >= 8, one.stdout);
    assert.equal(two.stdout, one.stdout);
    assert.equal(two.stderr, one.stderr);
  });

  it('applies and writes back the same fixes with 1 and 2 threads', () => {
    const first = project(dir, 'fix-one');
    const second = project(dir, 'fix-two');
    const before = contents(first);
    const args = ['check', '--fix', '--output-format', 'json'];
    const one = cli([...args, '--jobs', '1'], first);
    const two = cli([...args, '--jobs', '2'], second);
    assert.equal(two.code, one.code);
    assert.equal(two.stdout, one.stdout);
    assert.ok((JSON.parse(one.stdout) as { fixed: number }).fixed > 0, one.stdout);
    const fixed = contents(first);
    assert.notDeepEqual(fixed, before);
    assert.deepEqual(contents(second), fixed);
  });

  it('shares cache entries between 1 and 2 threads', () => {
    const first = project(dir, 'cache-one');
    const second = project(dir, 'cache-two');
    const args = ['check', '--output-format', 'json'];
    const cold = cli([...args, '--jobs', '2'], first);
    assert.equal(cli([...args, '--jobs', '1'], second).stdout, cold.stdout);
    // The same files under the same relative paths are stored under the same keys.
    assert.ok(cacheEntries(first).length >= 15);
    assert.deepEqual(cacheEntries(first), cacheEntries(second));
    // A warm run reads what the other thread mode wrote: an edited entry shows through.
    type Entry = { report: { entries: { finding: { message: string } }[] } };
    const read = (e: string) => JSON.parse(readFileSync(join(first, e), 'utf8')) as Entry;
    const [entry] = cacheEntries(first).filter((e) => read(e).report.entries.length > 0);
    const stored = read(entry);
    stored.report.entries[0].finding.message = 'served from the cache';
    writeFileSync(join(first, entry), JSON.stringify(stored));
    assert.match(cli([...args, '--jobs', '1'], first).stdout, /served from the cache/);
    assert.match(cli([...args, '--jobs', '2'], first).stdout, /served from the cache/);
  });

  it('takes the thread count from MLHYGIENE_JOBS and rejects a bad one', () => {
    const tree = project(dir, 'env');
    const one = cli(['check', '--output-format', 'json', '--no-cache', '--jobs', '1'], tree);
    const env = cli(['check', '--output-format', 'json', '--no-cache'], tree, {
      MLHYGIENE_JOBS: '2',
    });
    assert.equal(env.stdout, one.stdout);
    const bad = cli(['check', '--jobs', '0'], tree);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--jobs needs a whole number of threads, 1 or more \(got "0"\)/);
  });

  it('draws the progress bar on a terminal while workers lint', async () => {
    const tree = join(dir, 'progress');
    cpSync(join(FIXTURES, 'training'), tree, { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(tree, `job_${i}.py`), 'print("hello")\n');
    let stdout = '';
    let stderr = '';
    const code = await runCli(['check', '--no-cache', '--jobs', '2', '--output-format', 'json'], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      cwd: tree,
      stderrIsTTY: true,
    });
    const files = (JSON.parse(stdout) as { files: number }).files;
    assert.equal(code, 1);
    assert.ok(files >= 30);
    assert.match(stderr, new RegExp(`\\[#{30}\\] ${files}/${files} files`));
    assert.match(stderr, new RegExp(`\\] 1/${files} files`));
  });

  it('lints a file that runs a worker out of memory in its own thread, in order', async () => {
    const tree = join(dir, 'memory');
    cpSync(join(FIXTURES, 'serving'), tree, { recursive: true });
    let big = 'import pickle\n';
    // Under the default 1 MiB size limit, so it is linted rather than skipped.
    for (let i = 0; i < 15_000; i++) big += `value_${i} = compute(alpha, beta, "/data/${i}.csv")\n`;
    writeFileSync(join(tree, 'big.py'), `${big}model = pickle.loads(blob)\n`);
    const names = ['fastapi_app.py', 'big.py', 'flask_app.py'];
    const targets = names.map((name) => ({ path: join(tree, name) }));
    const options: LintJobOptions = {
      cwd: tree,
      select: [],
      ignore: [],
      fix: false,
      unsafeFixes: false,
      cache: false,
    };
    await ensureEngine();
    const linter = new FileLinter(options);
    const here: string[] = [];
    const outcomes: FileOutcome[] = [];
    // A heap far too small for the big file, and enough for the others.
    await lintInWorkers(
      targets,
      options,
      2,
      (outcome) => outcomes.push(outcome),
      (target) => {
        here.push(relative(tree, target.path));
        return Promise.resolve(linter.lintTarget(target));
      },
      { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    );
    assert.deepEqual(here, ['big.py']);
    assert.deepEqual(
      outcomes,
      targets.map((target) => linter.lintTarget(target)),
    );
    assert.deepEqual(
      outcomes.map((o) => o.report?.entries.map((e) => e.finding.code)),
      [['MLH303', 'MLH303'], ['MLH301'], ['MLH301', 'MLH203', 'MLH303', 'MLH303', 'MLH303']],
    );
  });
});
