import {
  WorkDoneProgressReporter,
  type CancellationToken,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { ConfigLocator } from '../config/load';
import { lint, type LintResult } from '../engine/lint';
import type { LintSettings } from '../engine/selection';
import { locate } from '../engine/source';
import { fileLineOfCellLine, NotebookFormatError } from '../parsing/ipynb';
import type { ScanSummary } from '../protocol';
import { discoverFiles } from '../workspace/discovery';
import { loadText, readSource } from '../workspace/files';
import { dependencies, projectFiles, unchanged, type Dependency } from '../workspace/project';
import { LintCache } from '../workspace/cache';

/** What a scan publishes for one file, as kept in the cache. */
interface Published {
  diagnostics: Diagnostic[];
  /** The findings among the diagnostics (the rest are notices). */
  findings: number;
  families: string[];
  complete: boolean;
  dependencies: Dependency[];
}

export interface ScanRequest {
  /** The progress the client created for the request (`workDoneToken`). */
  reporter?: WorkDoneProgressReporter;
  /** The request's own cancellation, e.g. the Cancel button of the client's notification. */
  token?: CancellationToken;
}

export interface ScanHost {
  connection: Connection;
  configs: ConfigLocator;
  /**
   * Settings for a file path (editor settings resolved by the server), with a fingerprint of
   * everything they were made of; undefined when the file is not linted.
   */
  settingsFor(path: string): Promise<{ settings: LintSettings; fingerprint: string } | undefined>;
  /** The editor's excludes (`mlhygiene.exclude`, `files.exclude`) for the folders scanned. */
  excludesFor(folders: readonly string[]): Promise<(path: string) => boolean>;
  /** Open documents are the editor's: a scan never publishes for them. */
  isOpen(uri: string): boolean;
  toDiagnostic(
    result: LintResult,
    findingIndex: number,
    located: { prefix: string; line?: number },
  ): Diagnostic;
  /** A skipped file or a rule cut short, shown at the top of the file. */
  noticeDiagnostics(result: LintResult, uri: string): Diagnostic[];
}

/**
 * "Scan Workspace": lints files nobody opened and publishes their diagnostics under the file's
 * URI. Work is done a file at a time between event-loop turns, so diagnostics of the document
 * being edited are never held up; results are kept until the file changes, is deleted or is opened.
 */
export class WorkspaceScanner {
  /** URIs whose diagnostics came from a scan. */
  private readonly scanned = new Set<string>();
  private running: Promise<ScanSummary> | undefined;
  /** The editor's excludes as of the last scan; files changed later are judged by them too. */
  private excluded: (path: string) => boolean = () => false;

  /**
   * Keeps each file's published diagnostics under a hash of its content, its settings and the
   * server build (in the extension's workspace storage), so a second scan of an unchanged
   * workspace reads instead of linting. Set once the client has said where its storage is.
   */
  cache: LintCache | undefined;

  constructor(private readonly host: ScanHost) {}

  has(uri: string): boolean {
    return this.scanned.has(uri);
  }

  /**
   * Scans the folders. A client that shows the progress itself (VS Code's client does, as a
   * cancellable notification) passes its reporter and the request's token; otherwise the server
   * creates its own progress, which the client can cancel through the progress token.
   */
  async scan(folders: readonly string[], request: ScanRequest = {}): Promise<ScanSummary> {
    this.running ??= this.run(folders, request).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(folders: readonly string[], request: ScanRequest): Promise<ScanSummary> {
    const started = process.hrtime.bigint();
    const { connection } = this.host;
    const given = request.reporter;
    const progress: WorkDoneProgressReporter & { token?: CancellationToken } =
      given && !WorkDoneProgressReporter.isNullInstance(given)
        ? given
        : await connection.window.createWorkDoneProgress();
    // Either the request is cancelled (client-created progress) or the server's progress is.
    const cancelled = () =>
      !!request.token?.isCancellationRequested || !!progress.token?.isCancellationRequested;
    const summary: ScanSummary = {
      files: 0,
      findings: 0,
      byFamily: {},
      seconds: 0,
      cancelled: false,
      errors: [],
    };
    try {
      this.excluded = await this.host.excludesFor(folders);
      const { files, problems } = discoverFiles(folders, this.host.configs, {
        exclude: this.excluded,
      });
      summary.errors.push(...problems.map((p) => `${p.path}: ${p.message}`));
      progress.begin('ML Hygiene: scanning the workspace', 0, `0 / ${files.length} files`, true);
      for (const [index, path] of files.entries()) {
        if (cancelled()) {
          summary.cancelled = true;
          break;
        }
        // One file per event-loop turn: edits of open documents are handled in between.
        await new Promise((resolve) => setImmediate(resolve));
        const found = await this.lintFile(path, summary);
        summary.files++;
        summary.findings += found;
        progress.report(
          Math.round(((index + 1) / files.length) * 100),
          `${index + 1} / ${files.length} files`,
        );
      }
    } finally {
      progress.done();
    }
    summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const families = Object.entries(summary.byFamily)
      .map(([family, n]) => `${family} ${n}`)
      .join(', ');
    connection.console.info(
      `mlhygiene: scanned ${summary.files} files in ${summary.seconds.toFixed(1)} s: ${summary.findings} findings` +
        (families ? ` (${families})` : '') +
        (summary.cancelled ? '; cancelled' : ''),
    );
    return summary;
  }

  /** Lints one file from disk and publishes under its URI; returns the number of findings. */
  async lintFile(path: string, summary?: ScanSummary): Promise<number> {
    const uri = pathToFileURL(path).href;
    if (this.host.isOpen(uri)) return 0;
    if (this.excluded(path)) {
      await this.clear(uri);
      return 0;
    }
    const resolved = await this.host.settingsFor(path);
    let raw: string;
    try {
      raw = readSource(path).text;
    } catch (error) {
      // Deleted since discovery (or while the scan ran): nothing to show, nothing went wrong.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        summary?.errors.push(`${path}: ${(error as Error).message}`);
      await this.clear(uri);
      return 0;
    }
    if (!resolved) {
      await this.clear(uri);
      return 0;
    }
    const key = this.cache ? LintCache.key([path, raw, resolved.fingerprint]) : '';
    let published = this.cache?.getValue<Published>(key);
    // A result also depends on the project files its rules read (a torch pin, dvc.yaml).
    if (published && !unchanged(published.dependencies ?? [])) published = undefined;
    if (!published) {
      try {
        published = this.diagnose(path, uri, raw, resolved.settings);
      } catch (error) {
        const reason =
          error instanceof NotebookFormatError
            ? `not a valid notebook: ${error.message}`
            : (error as Error).message;
        summary?.errors.push(`${path}: ${reason}`);
        await this.clear(uri);
        return 0;
      }
      if (published.complete) this.cache?.setValue(key, published);
    }
    if (summary) {
      for (const family of published.families)
        summary.byFamily[family] = (summary.byFamily[family] ?? 0) + 1;
    }
    this.scanned.add(uri);
    await this.host.connection.sendDiagnostics({ uri, diagnostics: published.diagnostics });
    return published.findings;
  }

  /** Lints a file's text and makes the diagnostics a closed file shows. */
  private diagnose(path: string, uri: string, raw: string, settings: LintSettings): Published {
    const loaded = loadText(path, raw);
    const consulted = new Map<string, string | undefined>();
    const confined = settings.confined ?? false;
    const project = projectFiles(path, settings.root, process.env, confined, consulted);
    const result = lint(loaded.source, settings, { project });
    const diagnostics = result.findings.map((_, index) => {
      // A closed notebook's finding points at the line of the .ipynb holding that source line.
      const at = locate(result.file, result.lines, result.findings[index].start);
      if (at.cellIndex === undefined || !loaded.notebook)
        return this.host.toDiagnostic(result, index, { prefix: '' });
      const line = fileLineOfCellLine(loaded.notebook, at.cellIndex, at.position.line);
      return this.host.toDiagnostic(result, index, {
        prefix: `cell ${at.cellIndex + 1}, line ${at.position.line + 1}: `,
        line,
      });
    });
    return {
      // Notices (a file skipped, a rule cut short) come first, at the top of the file.
      diagnostics: [...this.host.noticeDiagnostics(result, uri), ...diagnostics],
      findings: diagnostics.length,
      families: result.findings.map((f) => f.family),
      // A rule that failed or was cut short may find more next time: such a result is not kept.
      complete: result.internalErrors.length === 0 && result.notices.length === 0,
      dependencies: dependencies(consulted),
    };
  }

  /** Forgets a file's scan result and clears what was published for it. */
  async clear(uri: string): Promise<void> {
    if (!this.scanned.delete(uri)) return;
    await this.host.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  async clearAll(): Promise<number> {
    const uris = [...this.scanned];
    for (const uri of uris) await this.clear(uri);
    return uris.length;
  }

  /** The editor took over a document: its own diagnostics replace the scan's. */
  forget(uri: string): void {
    this.scanned.delete(uri);
  }
}
