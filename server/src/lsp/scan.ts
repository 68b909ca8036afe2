import type { Connection, Diagnostic } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { ConfigLocator } from '../config/load';
import { lint, type LintResult } from '../engine/lint';
import type { LintSettings } from '../engine/selection';
import { locate } from '../engine/source';
import { fileLineOfCellLine, NotebookFormatError } from '../parsing/ipynb';
import type { ScanSummary } from '../protocol';
import { discoverFiles } from '../workspace/discovery';
import { loadFile, type LoadedFile } from '../workspace/files';

export interface ScanHost {
  connection: Connection;
  configs: ConfigLocator;
  /** Settings for a file path (editor settings resolved by the server). */
  settingsFor(path: string): Promise<LintSettings | undefined>;
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

  constructor(private readonly host: ScanHost) {}

  has(uri: string): boolean {
    return this.scanned.has(uri);
  }

  async scan(folders: readonly string[]): Promise<ScanSummary> {
    this.running ??= this.run(folders).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(folders: readonly string[]): Promise<ScanSummary> {
    const started = process.hrtime.bigint();
    const { connection } = this.host;
    const progress = await connection.window.createWorkDoneProgress();
    const summary: ScanSummary = {
      files: 0,
      findings: 0,
      byFamily: {},
      seconds: 0,
      cancelled: false,
      errors: [],
    };
    try {
      const { files, problems } = discoverFiles(folders, this.host.configs);
      summary.errors.push(...problems.map((p) => `${p.path}: ${p.message}`));
      progress.begin('ML Hygiene: scanning the workspace', 0, `0 / ${files.length} files`, true);
      for (const [index, path] of files.entries()) {
        if (progress.token.isCancellationRequested) {
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
    const settings = await this.host.settingsFor(path);
    let loaded: LoadedFile;
    try {
      loaded = loadFile(path);
    } catch (error) {
      // Deleted since discovery (or while the scan ran): nothing to show, nothing went wrong.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.clear(uri);
        return 0;
      }
      const reason =
        error instanceof NotebookFormatError
          ? `not a valid notebook: ${error.message}`
          : (error as Error).message;
      summary?.errors.push(`${path}: ${reason}`);
      await this.clear(uri);
      return 0;
    }
    if (!settings) {
      await this.clear(uri);
      return 0;
    }
    const result = lint(loaded.source, settings);
    const diagnostics = result.findings.map((finding, index) => {
      if (summary) summary.byFamily[finding.family] = (summary.byFamily[finding.family] ?? 0) + 1;
      // A closed notebook's finding points at the line of the .ipynb holding that source line.
      const at = locate(result.file, result.lines, finding.start);
      if (at.cellIndex === undefined || !loaded.notebook)
        return this.host.toDiagnostic(result, index, { prefix: '' });
      const line = fileLineOfCellLine(loaded.notebook, at.cellIndex, at.position.line);
      return this.host.toDiagnostic(result, index, {
        prefix: `cell ${at.cellIndex + 1}, line ${at.position.line + 1}: `,
        line,
      });
    });
    const notices = this.host.noticeDiagnostics(result, uri);
    this.scanned.add(uri);
    await this.host.connection.sendDiagnostics({ uri, diagnostics: [...notices, ...diagnostics] });
    return diagnostics.length;
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
