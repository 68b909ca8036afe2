import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigLocator } from '../../server/src/config/load';
import { ensureEngine } from '../../server/src/engine/lint';
import type { LintSettings } from '../../server/src/engine/selection';
import { discoverFiles } from '../../server/src/workspace/discovery';
import { allRulesSettings, checkFile, type Problem } from './oracles';

/**
 * Fix safety over whole corpora: every fix of every file, applied alone and all together, must
 * re-parse without new syntax errors, remove its diagnostic, reach a fixpoint and, in notebooks,
 * leave untouched cells byte-identical. `npm run fix-safety [-- paths...]` runs it.
 */
export interface FixSafetyFailure extends Problem {
  path: string;
}

export interface FixSafetyTotals {
  files: number;
  /** Files not checked: notebooks that are not nbformat 4, files that are not UTF-8 text. */
  skipped: number;
  fixesApplied: number;
  fixAllRuns: number;
  fixAllApplied: number;
  syntaxRegressions: number;
  /** Fixes that moved the error count of a file or cell that was broken already. */
  syntaxNoise: number;
  failures: FixSafetyFailure[];
}

export const ROOT = join(__dirname, '..', '..', '..');
export const SKLEARN_CORPUS = join(ROOT, '.corpus/sklearn/usr/share/doc/python-sklearn-doc');

/** The Python files under the given folders (discovery's excludes apply; site-packages by name). */
export function corpusFiles(paths: readonly string[]): string[] {
  return discoverFiles(paths, new ConfigLocator()).files.sort();
}

export function runFixSafety(
  files: readonly string[],
  settings: LintSettings = allRulesSettings(),
  onFile?: (path: string, index: number) => void,
): FixSafetyTotals {
  const totals: FixSafetyTotals = {
    files: 0,
    skipped: 0,
    fixesApplied: 0,
    fixAllRuns: 0,
    fixAllApplied: 0,
    syntaxRegressions: 0,
    syntaxNoise: 0,
    failures: [],
  };
  files.forEach((path, index) => {
    onFile?.(path, index);
    const bytes = readFileSync(path);
    const raw = bytes.toString('utf8');
    // Binary or Latin-1 files are the hostile-input tests' business, not fix safety's.
    if (raw.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD'))) {
      totals.skipped++;
      return;
    }
    totals.files++;
    let check;
    try {
      check = checkFile(path, raw, settings);
    } catch (error) {
      const detail = (error as Error).stack?.split('\n').slice(0, 5).join(' | ') ?? String(error);
      totals.failures.push({ path, code: 'engine', kind: 'exception', detail });
      return;
    }
    if (check.skipped) totals.skipped++;
    totals.fixesApplied += check.fixesApplied;
    totals.fixAllRuns += check.fixAllRuns;
    totals.fixAllApplied += check.fixAllApplied;
    totals.syntaxRegressions += check.syntaxRegressions;
    totals.syntaxNoise += check.syntaxNoise;
    totals.failures.push(...check.problems.map((p) => ({ path, ...p })));
  });
  return totals;
}

export function formatTotals(totals: FixSafetyTotals, seconds: number): string {
  const lines = [
    `fix-safety: ${totals.files} files (${totals.skipped} skipped) in ${seconds.toFixed(1)} s`,
    `  fixes applied one by one: ${totals.fixesApplied}`,
    `  fixAll runs: ${totals.fixAllRuns} (${totals.fixAllApplied} fixes applied by first passes)`,
    `  syntax regressions: ${totals.syntaxRegressions} (error count moved in ${totals.syntaxNoise} already broken files or cells)`,
    `  failures: ${totals.failures.length}`,
  ];
  for (const f of totals.failures)
    lines.push(`    ${relative(process.cwd(), f.path)}: ${f.code} ${f.kind}: ${f.detail}`);
  return lines.join('\n');
}

/** The default corpora: the sklearn examples, and this machine's Python stdlib and site-packages. */
function defaultPaths(): string[] {
  const python = spawnSync(
    'python3',
    [
      '-c',
      'import json, sysconfig; p = sysconfig.get_paths(); print(json.dumps([p["stdlib"], p["purelib"]]))',
    ],
    { encoding: 'utf8' },
  );
  const dirs = python.status === 0 ? (JSON.parse(python.stdout) as string[]) : [];
  return [SKLEARN_CORPUS, ...dirs].filter((dir) => existsSync(dir));
}

async function main(argv: string[]): Promise<number> {
  await ensureEngine();
  const paths = argv.length ? argv : defaultPaths();
  const files = corpusFiles(paths);
  console.log(`fix-safety: ${files.length} files under ${paths.join(', ')}`);
  const started = process.hrtime.bigint();
  const totals = runFixSafety(files, allRulesSettings(), (path, index) => {
    if (index % 200 === 0 && index > 0) console.log(`  ${index}/${files.length} ${path}`);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(formatTotals(totals, seconds));
  return totals.failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
