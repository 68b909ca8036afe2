import { writeFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigLocator } from '../config/load';
import { DEFAULT_EDITOR_SETTINGS } from '../config/schema';
import { ensureEngine, lint, type LintResult } from '../engine/lint';
import { expandSelector, resolveSettings } from '../engine/selection';
import { fixAll } from '../fixes/fixAll';
import { NotebookFormatError, replaceCellSources } from '../parsing/ipynb';
import { RULES, findRule } from '../rules';
import { renderRuleMarkdown } from '../rules/render';
import { discoverFiles } from '../workspace/discovery';
import { loadFile } from '../workspace/files';
import { VERSION } from '../protocol';
import { formatJson, formatText, type FileReport, type Report } from './output';

export const ExitCode = { clean: 0, findings: 1, error: 2 } as const;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

const HELP = `mlhygiene ${VERSION} — lint ML scripts and notebooks for production hygiene

Usage:
  mlhygiene check [paths...] [options]   lint .py and .ipynb files (default path: .)
  mlhygiene explain <RULE>               print a rule's documentation (code or name)
  mlhygiene rules                        list all rules

Options for check:
  --output-format <text|json>   output format (default: text)
  --select <RULES>              rules to run: codes, prefixes or names (a new selection)
  --ignore <RULES>              comma-separated codes, prefixes or names to skip
  --fix                         apply safe fixes in place
  --unsafe-fixes                with --fix, also apply unsafe fixes
  --exit-zero                   exit 0 even when problems are found
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

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}

async function check(argv: readonly string[], io: Io): Promise<number> {
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return ExitCode.clean;
  }
  const format = values['output-format'];
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`unknown output format "${format}" (text, json)`);
  const select = list(values.select);
  const ignore = list(values.ignore);
  for (const selector of [...select, ...ignore]) {
    if (expandSelector(selector).length === 0) {
      throw new UsageError(`unknown rule "${selector}"`);
    }
  }

  await ensureEngine();
  const configs = new ConfigLocator();
  const paths = positionals.length
    ? positionals.map((p) => (isAbsolute(p) ? p : `${io.cwd}/${p}`))
    : [io.cwd];
  const discovery = discoverFiles(paths, configs);
  const report: Report = { files: [], errors: [], configMessages: [], fixed: 0 };
  for (const problem of discovery.problems)
    report.errors.push({ path: displayPath(problem.path, io.cwd), message: problem.message });
  const seenMessages = new Set<string>();

  for (const path of discovery.files) {
    const shown = displayPath(path, io.cwd);
    const settings = resolveSettings(configs.forFile(path), {
      ...DEFAULT_EDITOR_SETTINGS,
      select,
      ignore,
    });
    for (const message of settings.messages) {
      if (!seenMessages.has(message)) report.configMessages.push(message);
      seenMessages.add(message);
    }
    let loaded;
    try {
      loaded = loadFile(path);
    } catch (error) {
      const reason =
        error instanceof NotebookFormatError
          ? `not a valid notebook: ${error.message}`
          : (error as Error).message;
      report.errors.push({ path: shown, message: reason });
      continue;
    }
    let result: LintResult;
    if (values.fix) {
      const fixed = fixAll(loaded.source, settings, { unsafe: values['unsafe-fixes'] });
      result = fixed.result;
      if (fixed.applied > 0) {
        writeBack(path, loaded, fixed.file);
        report.fixed += fixed.applied;
      }
    } else {
      result = lint(loaded.source, settings);
    }
    for (const { code, error } of result.internalErrors) {
      report.errors.push({
        path: shown,
        message: `internal error in rule ${code}: ${error.split('\n')[0]}`,
      });
    }
    const file: FileReport = { path: shown, result };
    report.files.push(file);
  }

  io.stdout(format === 'json' ? formatJson(report) : formatText(report, { fixMode: values.fix }));
  for (const message of report.configMessages) io.stderr(`warning: ${message}\n`);
  if (format === 'text')
    for (const error of report.errors) io.stderr(`error: ${error.path}: ${error.message}\n`);
  if (report.errors.length > 0) return ExitCode.error;
  const problems = report.files.reduce(
    (n, f) => n + f.result.findings.filter((x) => x.severity !== 'hint').length,
    0,
  );
  return problems > 0 && !values['exit-zero'] ? ExitCode.findings : ExitCode.clean;
}

function writeBack(
  path: string,
  loaded: ReturnType<typeof loadFile>,
  fixed: LintResult['file'],
): void {
  if (!loaded.notebook) {
    writeFileSync(path, fixed.text);
    return;
  }
  const changes = new Map<number, string>();
  fixed.notebook!.cells.forEach((cell, index) => {
    if (cell.source !== loaded.notebook!.cells[index].source) changes.set(index, cell.source);
  });
  if (changes.size > 0) writeFileSync(path, replaceCellSources(loaded.notebook, changes));
}
