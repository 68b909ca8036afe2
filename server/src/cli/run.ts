import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigLocator } from '../config/load';
import { ensureEngine } from '../engine/lint';
import { expandSelector } from '../engine/selection';
import { VERSION } from '../protocol';
import { RULES, findRule } from '../rules';
import { renderRuleMarkdown } from '../rules/render';
import { discoverFiles } from '../workspace/discovery';
import { BaselineError, readBaseline, writeBaseline } from './baseline';
import {
  displayPath,
  FileLinter,
  type FileOutcome,
  type LintJobOptions,
  type Target,
} from './lintFile';
import { lintInWorkers, MIN_FILES_PER_WORKER, workerCount } from './pool';
import {
  formatGithub,
  formatJson,
  formatSarif,
  formatStatistics,
  formatText,
  type Report,
} from './output';

export const ExitCode = { clean: 0, findings: 1, error: 2 } as const;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** A progress bar is drawn only on a terminal. */
  stderrIsTTY?: boolean;
  /** Reads standard input (for --stdin-filename); defaults to the process's stdin. */
  readStdin?: () => Promise<string>;
}

const HELP = `mlhygiene ${VERSION} — lint ML scripts and notebooks for production hygiene

Usage:
  mlhygiene check [paths...] [options]   lint .py and .ipynb files (default path: .)
  mlhygiene explain <RULE>               print a rule's documentation (code or name)
  mlhygiene rules                        list all rules

Options for check:
  --output-format <FORMAT>      text, json, sarif or github (default: text)
  --select <RULES>              rules to run: codes, prefixes or names (a new selection)
  --ignore <RULES>              comma-separated codes, prefixes or names to skip
  --fix                         apply safe fixes in place
  --unsafe-fixes                with --fix, also apply unsafe fixes
  --exit-zero                   exit 0 even when problems are found
  --statistics                  counts per rule instead of the findings (text output)
  --no-cache                    do not read or write .mlhygiene_cache/
  --baseline <FILE>             report only findings that are not in the baseline
  --write-baseline <FILE>       record the current findings as the baseline
  --stdin-filename <PATH>       lint standard input as the file PATH
  --jobs <N>                    worker threads (default: one per core for large runs;
                                1 lints in the CLI's own thread; also MLHYGIENE_JOBS)
  -h, --help                    show this help
  --version                     show the version

Exit codes: 0 no problems, 1 problems found, 2 usage or file error.
`;

class UsageError extends Error {}

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`mlhygiene: ${(error as Error).message}\nRun "mlhygiene --help" for usage.\n`);
      return ExitCode.error;
    }
    io.stderr(`mlhygiene: internal error: ${(error as Error).stack ?? error}\n`);
    return ExitCode.error;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(HELP);
    return ExitCode.clean;
  }
  if (command === '--version' || command === '-V') {
    io.stdout(`mlhygiene ${VERSION}\n`);
    return ExitCode.clean;
  }
  if (command === 'explain') {
    const rule = rest[0] ? findRule(rest[0]) : undefined;
    if (!rule)
      throw new UsageError(
        rest[0] ? `unknown rule "${rest[0]}"` : 'explain needs a rule code or name',
      );
    io.stdout(renderRuleMarkdown(rule));
    return ExitCode.clean;
  }
  if (command === 'rules') {
    for (const rule of RULES)
      io.stdout(`${rule.code}  ${rule.name.padEnd(30)} ${rule.docs.summary}\n`);
    return ExitCode.clean;
  }
  if (command === 'check') return check(rest, io);
  throw new UsageError(`unknown command "${command}"`);
}

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

interface CheckOptions {
  format: Format;
  select: string[];
  ignore: string[];
  fix: boolean;
  unsafeFixes: boolean;
  exitZero: boolean;
  statistics: boolean;
  cache: boolean;
  baseline?: string;
  writeBaseline?: string;
  stdinFilename?: string;
  /** Worker threads asked for with --jobs or MLHYGIENE_JOBS; undefined lets the run choose. */
  jobs?: number;
}

function parseCheckArgs(argv: readonly string[]): {
  options: CheckOptions;
  paths: string[];
  help: boolean;
} {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'output-format': { type: 'string', default: 'text' },
      select: { type: 'string' },
      ignore: { type: 'string' },
      fix: { type: 'boolean', default: false },
      'unsafe-fixes': { type: 'boolean', default: false },
      'exit-zero': { type: 'boolean', default: false },
      statistics: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
      'stdin-filename': { type: 'string' },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const format = values['output-format'] as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`unknown output format "${format}" (${FORMATS.join(', ')})`);
  }
  const options: CheckOptions = {
    format,
    select: list(values.select),
    ignore: list(values.ignore),
    fix: values.fix,
    unsafeFixes: values['unsafe-fixes'],
    exitZero: values['exit-zero'],
    statistics: values.statistics,
    cache: !values['no-cache'],
    baseline: values.baseline,
    writeBaseline: values['write-baseline'],
    stdinFilename: values['stdin-filename'],
    jobs: parseJobs(values.jobs ?? process.env.MLHYGIENE_JOBS),
  };
  for (const selector of [...options.select, ...options.ignore]) {
    if (expandSelector(selector).length === 0) throw new UsageError(`unknown rule "${selector}"`);
  }
  if (options.stdinFilename && options.fix)
    throw new UsageError('--fix cannot be used with --stdin-filename');
  if (options.stdinFilename && positionals.length)
    throw new UsageError('--stdin-filename reads stdin; give no paths');
  return { options, paths: positionals, help: values.help };
}

function parseJobs(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new UsageError(`--jobs needs a whole number of threads, 1 or more (got "${value}")`);
  }
  return jobs;
}

/** A progress bar on stderr, only when stderr is a terminal: machine output stays on stdout. */
function progress(io: Io, total: number): (done: number) => void {
  if (!io.stderrIsTTY || total < 20) return () => undefined;
  let last = -1;
  return (done) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === last && done !== total) return;
    last = percent;
    const width = 30;
    const filled = Math.round((done / total) * width);
    io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files`);
    if (done === total) io.stderr('\r\x1b[K');
  };
}

async function check(argv: readonly string[], io: Io): Promise<number> {
  const { options, paths, help } = parseCheckArgs(argv);
  if (help) {
    io.stdout(HELP);
    return ExitCode.clean;
  }
  const known = options.baseline ? readBaselineOrThrow(options.baseline, io) : undefined;
  const configs = new ConfigLocator();
  const report: Report = { files: [], errors: [], configMessages: [], fixed: 0, baselined: 0 };
  let targets: Target[];
  if (options.stdinFilename) {
    targets = [
      {
        path: resolve(io.cwd, options.stdinFilename),
        text: await (io.readStdin ?? readProcessStdin)(),
      },
    ];
  } else {
    const roots = paths.length ? paths.map((p) => resolve(io.cwd, p)) : [io.cwd];
    const discovery = discoverFiles(roots, configs);
    for (const problem of discovery.problems) {
      report.errors.push({ path: displayPath(problem.path, io.cwd), message: problem.message });
    }
    targets = discovery.files.map((path) => ({ path }));
  }
  const jobOptions: LintJobOptions = {
    cwd: io.cwd,
    select: options.select,
    ignore: options.ignore,
    fix: options.fix,
    unsafeFixes: options.unsafeFixes,
    cache: options.cache && !options.stdinFilename,
  };
  const seenMessages = new Set<string>();
  const baselineEntries: { path: string; code: string; fingerprint: string }[] = [];
  const tick = progress(io, targets.length);
  // Outcomes arrive in the order of the files, whichever thread linted them.
  const take = (outcome: FileOutcome, index: number) => {
    tick(index + 1);
    for (const message of outcome.configMessages) {
      if (!seenMessages.has(message)) report.configMessages.push(message);
      seenMessages.add(message);
    }
    report.errors.push(...outcome.errors);
    report.fixed += outcome.fixed;
    if (!outcome.report) return;
    const { path, entries } = outcome.report;
    for (const entry of entries) {
      baselineEntries.push({ path, code: entry.finding.code, fingerprint: entry.fingerprint });
    }
    const kept = known ? entries.filter((entry) => !known.has(entry.fingerprint)) : entries;
    report.baselined += entries.length - kept.length;
    report.files.push({ path, entries: kept });
  };
  tick(0);
  const threads = workerCount(targets.length, options.jobs);
  let linter: FileLinter | undefined;
  // A file served from the cache needs no engine: a warm run never loads it.
  const lintHere = async (target: Target) => {
    linter ??= new FileLinter(jobOptions);
    const step = linter.begin(target);
    if ('outcome' in step) return step.outcome;
    await ensureEngine();
    return step.finish();
  };
  let start = 0;
  if (threads > 1 && jobOptions.cache && !jobOptions.fix) {
    // Cache hits are answered here first, until enough misses are met to be worth the workers: a
    // warm run, or one with a few changed files, then starts no worker at all.
    linter ??= new FileLinter(jobOptions);
    const steps: ReturnType<FileLinter['begin']>[] = [];
    let misses = 0;
    for (const target of targets) {
      const step = linter.begin(target);
      steps.push(step);
      if (!('outcome' in step) && ++misses >= 2 * MIN_FILES_PER_WORKER) break;
    }
    const whole = steps.length === targets.length;
    for (const step of steps) {
      if (!('outcome' in step) && !whole) break;
      if (!('outcome' in step)) await ensureEngine();
      take('outcome' in step ? step.outcome : step.finish(), start++);
    }
  }
  // The rest from the first file not answered above (workers read the cache too).
  const rest = targets.slice(start);
  const restThreads = start === 0 ? threads : workerCount(rest.length, options.jobs);
  if (restThreads > 1) {
    await lintInWorkers(rest, jobOptions, restThreads, (o, i) => take(o, i + start), lintHere);
  } else {
    for (const [index, target] of rest.entries()) take(await lintHere(target), index + start);
  }

  if (options.writeBaseline) {
    writeBaseline(resolve(io.cwd, options.writeBaseline), baselineEntries);
    io.stderr(
      `Wrote ${baselineEntries.length} findings to the baseline ${options.writeBaseline}.\n`,
    );
  }
  io.stdout(render(report, options));
  for (const message of report.configMessages) io.stderr(`warning: ${message}\n`);
  for (const error of report.errors) io.stderr(`error: ${error.path}: ${error.message}\n`);
  if (report.errors.length > 0) return ExitCode.error;
  const problems = report.files.reduce((n, f) => n + f.entries.length, 0);
  const fails = problems > 0 && !options.exitZero && !options.writeBaseline;
  return fails ? ExitCode.findings : ExitCode.clean;
}

function render(report: Report, options: CheckOptions): string {
  switch (options.format) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report);
    case 'github':
      return formatGithub(report);
    default:
      return options.statistics
        ? formatStatistics(report)
        : formatText(report, { fixMode: options.fix });
  }
}

function readBaselineOrThrow(path: string, io: Io): Set<string> {
  try {
    return readBaseline(resolve(io.cwd, path));
  } catch (error) {
    if (error instanceof BaselineError) throw new UsageError(error.message);
    throw error;
  }
}

function readProcessStdin(): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
