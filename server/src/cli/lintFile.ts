import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { ConfigLocator } from '../config/load';
import { DEFAULT_EDITOR_SETTINGS } from '../config/schema';
import { lint, type LintResult } from '../engine/lint';
import { resolveSettings } from '../engine/selection';
import { fixAll } from '../fixes/fixAll';
import { NotebookFormatError, replaceCellSources } from '../parsing/ipynb';
import { invalidUtf8Message, loadText, readSource, type LoadedFile } from '../workspace/files';
import { dependencies, projectFiles, unchanged, type Dependency } from '../workspace/project';
import { fingerprints } from './baseline';
import { LintCache } from '../workspace/cache';
import { fileReport, type FileReport } from './output';

/**
 * The work `mlhygiene check` does for one file — read, parse, lint, optionally fix and write back —
 * as a function of plain data in and plain data out, so that the same code runs in the CLI's own
 * thread and in the worker threads of the pool, and both give the same answer.
 */

/** What every file of a run shares: the command line's choices. All plain data (sent to workers). */
export interface LintJobOptions {
  cwd: string;
  select: string[];
  ignore: string[];
  fix: boolean;
  unsafeFixes: boolean;
  /** Read and write the content-hash cache in `<cwd>/.mlhygiene_cache/`. */
  cache: boolean;
}

/** One file to lint: read from disk, or the text given on stdin under a file name. */
export interface Target {
  path: string;
  text?: string;
}

/** Everything the run needs from one file; plain data, in the order the run reports it. */
export interface FileOutcome {
  errors: { path: string; message: string }[];
  /** Configuration warnings that apply to the file (the run shows each once). */
  configMessages: string[];
  /** Fixes applied and written back. */
  fixed: number;
  /** Findings of information and above with their fingerprints, before any baseline. */
  report?: FileReport;
}

/** A cache entry: a file's located findings and the project files its rules consulted. */
interface CachedReport {
  report: FileReport;
  dependencies: Dependency[];
}

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : path;
}

/** Lints files one at a time with what they share (configuration lookups, the cache) kept. */
export class FileLinter {
  private readonly configs = new ConfigLocator();
  private readonly cache: LintCache | undefined;
  /** The text of each configuration file, read once: it is part of every cache key. */
  private readonly configTexts = new Map<string, string>();

  constructor(private readonly options: LintJobOptions) {
    // --fix must see and rewrite every file, so it neither reads nor fills the cache.
    this.cache = options.cache && !options.fix ? new LintCache(options.cwd) : undefined;
  }

  /** Lints a file; the engine must be loaded (`ensureEngine()`). */
  lintTarget(target: Target): FileOutcome {
    const step = this.begin(target);
    return 'outcome' in step ? step.outcome : step.finish();
  }

  /**
   * Reads a file and answers at once when no parsing is needed (a cache hit, an unreadable file);
   * otherwise `finish` lints it, once the engine is loaded. A run served from the cache thus never
   * loads the engine.
   */
  begin(target: Target): { outcome: FileOutcome } | { finish: () => FileOutcome } {
    const { options } = this;
    const shown = displayPath(target.path, options.cwd);
    const outcome: FileOutcome = { errors: [], configMessages: [], fixed: 0 };
    const project = this.configs.forFile(target.path);
    const editor = { ...DEFAULT_EDITOR_SETTINGS, select: options.select, ignore: options.ignore };
    const settings = resolveSettings(project, editor);
    outcome.configMessages.push(...settings.messages);
    let loaded: LoadedFile;
    let raw: string;
    let invalidUtf8: string | undefined;
    try {
      // Only regular files are read, without blocking: a FIFO in the tree cannot hang the run.
      ({ text: raw, invalidUtf8 } =
        target.text === undefined ? readSource(target.path) : { text: target.text });
      loaded = loadText(target.path, raw);
    } catch (error) {
      const reason =
        error instanceof NotebookFormatError
          ? `not a valid notebook: ${error.message}`
          : (error as Error).message;
      outcome.errors.push({ path: shown, message: reason });
      return { outcome };
    }
    if (invalidUtf8) {
      outcome.configMessages.push(`${shown}: ${invalidUtf8Message(invalidUtf8, options.fix)}`);
    }
    const key = this.cache
      ? LintCache.key([shown, raw, this.configText(project.file), JSON.stringify(editor)])
      : '';
    // The report itself is kept (findings already located), valid while the project files the
    // rules read (a torch pin, dvc.yaml) are unchanged too.
    const cached = this.cache?.getValue<CachedReport>(key);
    if (cached?.report && unchanged(cached.dependencies ?? [])) {
      outcome.report = cached.report;
      return { outcome };
    }
    const complete = (result: LintResult): FileOutcome => {
      for (const { code, error } of result.internalErrors) {
        outcome.errors.push({
          path: shown,
          message: `internal error in rule ${code}: ${error.split('\n')[0]}`,
        });
      }
      // A skipped file or a rule cut short is a warning: the rest of the run still counts.
      for (const notice of result.notices)
        outcome.configMessages.push(`${shown}: ${notice.message}`);
      // Hints are editor nudges: the CLI reports information and above.
      const visible = result.findings.filter((f) => f.severity !== 'hint');
      const prints = fingerprints(shown, result, visible);
      outcome.report = fileReport(shown, result, visible, prints, loaded.notebook);
      return outcome;
    };
    return {
      finish: () => {
        // A file that is not UTF-8 was decoded with replacement characters: never written back.
        if (!options.fix || invalidUtf8) {
          const consulted = new Map<string, string | undefined>();
          const confined = settings.confined ?? false;
          const files = projectFiles(target.path, settings.root, process.env, confined, consulted);
          const result = lint(loaded.source, settings, { project: files });
          const done = complete(result);
          // A rule that failed or was cut short may find more next time: not kept.
          if (result.internalErrors.length + result.notices.length === 0) {
            this.cache?.setValue(key, {
              report: done.report!,
              dependencies: dependencies(consulted),
            } satisfies CachedReport);
          }
          return done;
        }
        const fixed = fixAll(loaded.source, settings, { unsafe: options.unsafeFixes });
        if (fixed.applied > 0) {
          writeBack(target.path, loaded, fixed.file);
          outcome.fixed += fixed.applied;
        }
        return complete(fixed.result);
      },
    };
  }

  private configText(file: string | undefined): string {
    if (!file) return '';
    let text = this.configTexts.get(file);
    if (text === undefined) this.configTexts.set(file, (text = readFileSync(file, 'utf8')));
    return text;
  }
}

function writeBack(path: string, loaded: LoadedFile, fixed: LintResult['file']): void {
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
