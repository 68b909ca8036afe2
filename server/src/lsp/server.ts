import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  DiagnosticSeverity,
  FileChangeType,
  NotebookCellKind,
  NotebookDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type NotebookDocument,
  type Range,
  type TextDocumentEdit,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ConfigLocator } from '../config/load';
import {
  DEFAULT_EDITOR_SETTINGS,
  sanitizeEditorSettings,
  type EditorSettings,
} from '../config/schema';
import { ensureEngine, lint, type Finding, type LintResult } from '../engine/lint';
import { resolveSettings, type LintSettings } from '../engine/selection';
import { locate, notebookSource, pythonSource, type SourceFile } from '../engine/source';
import { editsByCell, fixAll } from '../fixes/fixAll';
import type { CellKind } from '../parsing/notebook';
import { skipReason } from '../parsing/guard';
import { LineIndex } from '../parsing/positions';
import { parsePython } from '../parsing/runtime';
import {
  Commands,
  DIAGNOSTIC_SOURCE,
  FIX_ALL_KIND,
  SETTINGS_SECTION,
  StatusNotification,
  TrustGrantedNotification,
  VERSION,
  type InitializationOptions,
  type StatusParams,
} from '../protocol';
import { findRule } from '../rules';
import { renderRuleHover, ruleDocUrl } from '../rules/render';
import type { Severity, TextEdit } from '../rules/types';
import { LintCache } from '../workspace/cache';
import { Excludes } from '../workspace/discovery';
import { editorExcludes, type FolderExcludes } from '../workspace/editorExcludes';
import { OpenDocument } from './documents';
import { WorkspaceScanner } from './scan';

/** Quiet time after a keystroke before linting; the benchmark measures with 0 too. */
export const DEFAULT_DEBOUNCE_MS = 120;

const SEVERITY: Record<Exclude<Severity, 'off'>, DiagnosticSeverity> = {
  hint: DiagnosticSeverity.Hint,
  information: DiagnosticSeverity.Information,
  warning: DiagnosticSeverity.Warning,
  error: DiagnosticSeverity.Error,
};

/** What a diagnostic carries in `data`, so code actions never re-lint. */
interface DiagnosticData {
  fixes: { title: string; safety: 'safe' | 'unsafe'; edit: WorkspaceEdit }[];
  /** Set on a notice (a skipped file, a rule cut short): no code action applies to it. */
  notice?: 'skipped' | 'cut-short';
}

/** A document as a lint saw it; edits built from that lint are only valid for this version. */
interface SeenDocument {
  uri: string;
  /** Null for a file that is not open (a scan result): edits then apply to the file as it is. */
  version: number | null;
}

/** What one lint covered: a `.py` document, or a notebook's cells (all of them, in order). */
interface LintTarget {
  result: LintResult;
  document?: SeenDocument;
  cells?: SeenDocument[];
}

/** A lint target key: an open `.py` document's URI or an open notebook's URI. */
type TargetKey = string;

/**
 * The scan's cache, in the folder the client names (VS Code's workspace storage for this
 * workspace); none when the client names none or the folder cannot be written.
 */
function scanCache(storage: unknown, warn: (message: string) => void): LintCache | undefined {
  if (typeof storage !== 'string' || !storage) return undefined;
  try {
    return new LintCache(storage);
  } catch (error) {
    warn(`mlhygiene: the scan cache in ${storage} is off: ${(error as Error).message}`);
    return undefined;
  }
}

export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri.replace(/^[a-z-]+:/, '');
}

function cellKind(kind: NotebookCellKind, languageId: string | undefined): CellKind {
  if (kind === NotebookCellKind.Markup) return 'markdown';
  return languageId === 'python' ? 'code' : 'raw';
}

export class LintServer {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly notebooks = new NotebookDocuments(TextDocument);
  private readonly timers = new Map<TargetKey, NodeJS.Timeout>();
  private readonly configs = new ConfigLocator();
  private readonly excludes = new Excludes(this.configs);
  private readonly editorSettings = new Map<string, EditorSettings>();
  /** Resolved settings per configuration file and editor settings, reused while both hold. */
  private readonly lintSettingsCache = new Map<
    string,
    { editor: EditorSettings; settings: LintSettings }
  >();
  /** Cell URIs that received diagnostics, per notebook, to clear cells that no longer exist. */
  private readonly publishedCells = new Map<string, Set<string>>();
  /** The last findings per document or cell URI, for hovers. */
  private readonly lastFindings = new Map<string, { finding: Finding; diagnostic: Diagnostic }[]>();
  private readonly reportedConfigProblems = new Set<string>();
  /** Rule failures and notices already logged, by file, rule and reason: each is logged once. */
  private readonly loggedOnce = new Set<string>();
  /** Notebook cells whose last diagnostics included a notice, so they are republished when it goes. */
  private readonly noticeCells = new Set<string>();
  /** False in an untrusted workspace: rules then read nothing outside the project. */
  private trusted = true;
  private status: StatusParams['state'] = 'ok';
  private supportsConfiguration = false;
  private supportsWatchedFiles = false;
  private ready: Promise<void> = Promise.resolve();
  private workspaceFolders: string[] = [];
  private readonly editorExcludeMatchers = new Map<string, (path: string) => boolean>();
  /** A scan ran and was not cleared: closed files keep (and refresh) their findings. */
  private scanActive = false;
  private readonly scanner: WorkspaceScanner;

  constructor(
    private readonly connection: Connection,
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {
    this.scanner = new WorkspaceScanner({
      connection: this.connection,
      configs: this.configs,
      settingsFor: async (path) => {
        const uri = pathToFileURL(path).href;
        const editor = await this.settingsFor(uri);
        if (this.skips(editor, path)) return undefined;
        const project = this.configs.forFile(path);
        return {
          settings: this.lintSettings(path, editor),
          // Everything the settings are made of (trust too: it confines rules), for the cache key.
          fingerprint: JSON.stringify([editor, project.file ?? '', project.config, this.trusted]),
        };
      },
      excludesFor: async (folders) =>
        editorExcludes(await Promise.all(folders.map((folder) => this.folderExcludes(folder)))),
      isOpen: (uri) => this.isOpen(uri),
      toDiagnostic: (result, index, located) => this.scanDiagnostic(result, index, located),
      noticeDiagnostics: (result, uri) => this.noticeDiagnostics(result, uri),
    });
  }

  listen(): void {
    const { connection } = this;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.initialized());
    connection.onDidOpenTextDocument(({ textDocument }) => {
      const { uri, languageId, version, text } = textDocument;
      this.documents.set(
        uri,
        new OpenDocument(TextDocument.create(uri, languageId, version, text)),
      );
      this.schedule(uri, 0);
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const document = this.documents.get(textDocument.uri);
      if (!document) return;
      document.applyChanges(contentChanges, textDocument.version);
      this.scheduleOnType(textDocument.uri);
    });
    connection.onDidSaveTextDocument(({ textDocument }) => this.schedule(textDocument.uri, 0));
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.documents.get(textDocument.uri)?.dropTree();
      this.documents.delete(textDocument.uri);
      this.cancel(textDocument.uri);
      this.lastFindings.delete(textDocument.uri);
      // After a scan a closed file keeps its findings (read from disk); otherwise they go.
      if (this.scanActive) void this.scanner.lintFile(uriToPath(textDocument.uri));
      else void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    });

    this.notebooks.onDidOpen((notebook) => {
      // The cells' own diagnostics replace the scan's, which pointed into the .ipynb file.
      void this.scanner.clear(notebook.uri);
      this.schedule(notebook.uri, 0);
    });
    this.notebooks.onDidChange(({ notebookDocument }) => this.scheduleOnType(notebookDocument.uri));
    this.notebooks.onDidSave((notebook) => this.schedule(notebook.uri, 0));
    this.notebooks.onDidClose((notebook) => void this.closeNotebook(notebook));
    this.notebooks.listen(connection);

    connection.onDidChangeConfiguration(() => {
      this.editorSettings.clear();
      this.relintAll();
    });
    connection.onDidChangeWatchedFiles(({ changes }) => {
      const sources = changes.filter((c) => /\.(py|ipynb)$/.test(c.uri));
      if (sources.length < changes.length) {
        this.configs.clear();
        this.excludes.clear();
        this.lintSettingsCache.clear();
        this.reportedConfigProblems.clear();
        this.relintAll();
      }
      // Scan results follow their files: re-linted when changed, gone when deleted.
      for (const change of sources) {
        if (change.type === FileChangeType.Deleted) void this.scanner.clear(change.uri);
        else if (this.scanActive && !this.isOpen(change.uri) && change.uri.startsWith('file:')) {
          void this.scanner.lintFile(uriToPath(change.uri));
        }
      }
    });
    connection.onNotification(TrustGrantedNotification, () => {
      if (this.trusted) return;
      this.trusted = true;
      this.connection.console.info('mlhygiene: the workspace is trusted now');
      this.relintAll();
    });
    connection.onCodeAction((params) => this.codeActions(params));
    connection.onHover((params) => this.hover(params));
    connection.onExecuteCommand(async ({ command, arguments: args }, token, reporter) => {
      if (command === Commands.serverScanWorkspace) {
        await this.ready;
        this.scanActive = true;
        return this.scanner.scan(this.workspaceFolders, { token, reporter });
      }
      if (command === Commands.serverClearScanResults) {
        this.scanActive = false;
        return this.scanner.clearAll();
      }
      if (command !== Commands.fixAll) return undefined;
      const uri = (args?.[0] as { uri?: string } | undefined)?.uri;
      const edit = uri ? await this.fixAllEdit(uri) : undefined;
      if (edit) await connection.workspace.applyEdit({ label: 'ML Hygiene: fix all', edit });
      return !!edit;
    });
    connection.onShutdown(() => this.dispose());
    connection.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    const folders =
      params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.workspaceFolders = folders.filter((u) => u.startsWith('file:')).map(uriToPath);
    this.supportsConfiguration = !!params.capabilities.workspace?.configuration;
    this.supportsWatchedFiles =
      !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    const options = params.initializationOptions as InitializationOptions | undefined;
    this.trusted = options?.workspaceTrusted !== false;
    if (!this.trusted)
      this.connection.console.info(
        'mlhygiene: untrusted workspace: nothing outside it is read (no Hugging Face cache)',
      );
    this.ready = ensureEngine();
    this.scanner.cache = scanCache(options?.storagePath, (message) =>
      this.connection.console.warn(message),
    );
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
          save: { includeText: false },
        },
        // Markdown and raw cells are synced too, only so that cell numbers match VS Code's.
        notebookDocumentSync: {
          notebookSelector: [
            {
              notebook: { notebookType: 'jupyter-notebook' },
              cells: [{ language: 'python' }, { language: 'markdown' }, { language: 'raw' }],
            },
          ],
          save: true,
        },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
          resolveProvider: false,
        },
        hoverProvider: true,
        executeCommandProvider: {
          commands: [
            Commands.fixAll,
            Commands.serverScanWorkspace,
            Commands.serverClearScanResults,
          ],
        },
      },
      serverInfo: { name: 'mlhygiene', version: VERSION },
    };
  }

  private async initialized(): Promise<void> {
    if (this.supportsWatchedFiles) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/pyproject.toml' },
          { globPattern: '**/mlhygiene.toml' },
          { globPattern: '**/*.py' },
          { globPattern: '**/*.ipynb' },
        ],
      });
    }
  }

  private dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const document of this.documents.values()) document.dropTree();
  }

  private async settingsFor(uri: string): Promise<EditorSettings> {
    const cached = this.editorSettings.get(uri);
    if (cached) return cached;
    let settings = DEFAULT_EDITOR_SETTINGS;
    if (this.supportsConfiguration) {
      const raw: unknown = await this.connection.workspace.getConfiguration({
        scopeUri: uri,
        section: SETTINGS_SECTION,
      });
      const sanitized = sanitizeEditorSettings(raw);
      for (const problem of sanitized.problems) this.reportConfigProblem(problem);
      settings = sanitized.settings;
    }
    this.editorSettings.set(uri, settings);
    return settings;
  }

  private setStatus(state: StatusParams['state'], message?: string): void {
    if (state === this.status && state === 'ok') return;
    this.status = state;
    void this.connection.sendNotification(StatusNotification, {
      state,
      message,
    } satisfies StatusParams);
  }

  private reportConfigProblem(message: string): void {
    if (this.reportedConfigProblems.has(message)) return;
    this.reportedConfigProblems.add(message);
    this.connection.console.warn(message);
    void this.connection.window.showWarningMessage(`ML Hygiene: ${message}`);
    this.setStatus('warning', message);
  }

  private lintSettings(path: string, editor: EditorSettings): LintSettings {
    const project = this.configs.forFile(path);
    const key = project.file ?? '';
    const cached = this.lintSettingsCache.get(key);
    if (cached && cached.editor === editor) return cached.settings;
    const settings = { ...resolveSettings(project, editor), confined: !this.trusted };
    for (const message of settings.messages) this.reportConfigProblem(message);
    this.lintSettingsCache.set(key, { editor, settings });
    return settings;
  }

  private relintAll(): void {
    this.lintSettingsCache.clear();
    for (const uri of this.documents.keys()) this.schedule(uri, 0);
    for (const uri of this.publishedCells.keys()) this.schedule(uri, 0);
  }

  private cancel(key: TargetKey): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  /** Debounced: a newer change for the same target replaces the pending run. */
  private schedule(key: TargetKey, delay: number): void {
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(key);
      }, delay),
    );
  }

  private scheduleOnType(key: TargetKey): void {
    void this.settingsFor(key).then((settings) => {
      if (settings.run === 'onType') this.schedule(key, this.debounceMs);
    });
  }

  private async run(key: TargetKey): Promise<void> {
    try {
      await this.ready;
      if (this.documents.has(key)) await this.lintDocument(key);
      else if (this.notebooks.getNotebookDocument(key)) await this.lintNotebook(key);
      // Configuration problems keep the warning until they are fixed (a watched-file change).
      if (this.reportedConfigProblems.size === 0) this.setStatus('ok');
    } catch (error) {
      this.connection.console.error(
        `mlhygiene: linting ${key} failed: ${(error as Error).stack ?? error}`,
      );
      this.setStatus('error', String(error));
    }
  }

  /**
   * A failing rule and a notice (a skipped file, a rule cut short) are logged once per file, rule
   * and reason, not on every keystroke; the other rules' findings are published as usual.
   */
  private logLintProblems(result: LintResult, uri: string): void {
    for (const { code, error } of result.internalErrors) {
      const reason = error.split('\n')[0];
      const key = `${uri}\0${code}\0${reason}`;
      if (this.loggedOnce.has(key)) continue;
      this.loggedOnce.add(key);
      this.connection.console.error(`mlhygiene: rule ${code} failed on ${uri}: ${error}`);
    }
    for (const notice of result.notices) {
      const key = `${uri}\0${notice.message}`;
      if (this.loggedOnce.has(key)) continue;
      this.loggedOnce.add(key);
      this.connection.console.warn(`mlhygiene: ${uri}: ${notice.message}`);
    }
  }

  /**
   * Notices as information diagnostics at the top of the file (or on a notebook's first code cell
   * when `cellUri` picks it), so a skipped file or a rule cut short is visible where the user looks.
   */
  private noticeDiagnostics(result: LintResult, uri: string): Diagnostic[] {
    // Rule failures too: the scan has no other place that logs them (each is logged once).
    this.logLintProblems(result, uri);
    const top = { line: 0, character: 0 };
    return result.notices.map((notice) => ({
      range: { start: top, end: top },
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      message: notice.message,
      data: { fixes: [], notice: notice.kind } satisfies DiagnosticData,
    }));
  }

  /**
   * Off, or excluded (a virtualenv, site-packages, pyproject's `exclude`, `mlhygiene.exclude`):
   * nothing to show.
   */
  private skips(editor: EditorSettings, path: string): boolean {
    if (!editor.enable) return true;
    if (!(path.startsWith('/') || /^[A-Za-z]:/.test(path))) return false;
    return this.excludes.excludesFile(path) || this.excludedByEditor(editor, path);
  }

  /** `mlhygiene.exclude`, relative to the workspace folder holding the file. */
  private excludedByEditor(editor: EditorSettings, path: string): boolean {
    if (editor.exclude.length === 0) return false;
    const folder = this.workspaceFolders
      .filter((f) => path.startsWith(f.endsWith(sep) ? f : f + sep))
      .sort((a, b) => b.length - a.length)[0];
    if (!folder) return false;
    const key = JSON.stringify([folder, editor.exclude]);
    let matcher = this.editorExcludeMatchers.get(key);
    if (!matcher) {
      matcher = editorExcludes([{ folder, patterns: editor.exclude }]);
      this.editorExcludeMatchers.set(key, matcher);
    }
    return matcher(path);
  }

  /** A workspace folder's `mlhygiene.exclude` and VS Code's `files.exclude`, for a scan. */
  private async folderExcludes(folder: string): Promise<FolderExcludes> {
    const uri = pathToFileURL(folder).href;
    const editor = await this.settingsFor(uri);
    const filesExclude: unknown = this.supportsConfiguration
      ? await this.connection.workspace.getConfiguration({
          scopeUri: uri,
          section: 'files.exclude',
        })
      : undefined;
    return { folder, patterns: editor.exclude, filesExclude };
  }

  private async lintDocument(uri: string): Promise<void> {
    const document = this.documents.get(uri)!;
    const version = document.version;
    const editor = await this.settingsFor(uri);
    const path = uriToPath(uri);
    if (this.skips(editor, path)) {
      this.lastFindings.delete(uri);
      await this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const text = document.text;
    const settings = this.lintSettings(path, editor);
    let tree;
    // A file lint() will skip (too large, nested too deep) is never handed to the parser.
    if (skipReason(text, settings.limits)) document.dropTree();
    else {
      const previous = document.takeTree();
      tree = parsePython(text, previous);
      previous?.delete();
      document.keepTree(tree);
    }
    const result = lint(pythonSource(path, text), settings, tree ? { tree } : {});
    this.logLintProblems(result, uri);
    // A newer version arrived while linting: its own run publishes.
    if (this.documents.get(uri)?.version !== version) return;
    const target: LintTarget = { result, document: { uri, version } };
    const entries = result.findings.map((finding) => ({
      finding,
      diagnostic: this.toDiagnostic(finding, target),
    }));
    this.lastFindings.set(uri, entries);
    await this.connection.sendDiagnostics({
      uri,
      version,
      diagnostics: [...this.noticeDiagnostics(result, uri), ...entries.map((e) => e.diagnostic)],
    });
  }

  /** The notebook as one source file, and the cell documents (with versions) it was built from. */
  private notebookSourceOf(notebook: NotebookDocument): {
    file: SourceFile;
    cells: SeenDocument[];
  } {
    const seen: SeenDocument[] = [];
    const cells = notebook.cells.map((cell) => {
      const document = this.notebooks.getCellTextDocument(cell);
      seen.push({ uri: cell.document, version: document?.version ?? 0 });
      const metadata = cell.metadata as
        { custom?: { metadata?: { tags?: unknown } }; metadata?: { tags?: unknown } } | undefined;
      const tags = metadata?.custom?.metadata?.tags ?? metadata?.metadata?.tags;
      return {
        kind: cellKind(cell.kind, document?.languageId),
        source: document?.getText() ?? '',
        tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
      };
    });
    const meta = notebook.metadata as
      | {
          custom?: { metadata?: { mlhygiene?: { ignore?: unknown } } };
          metadata?: { mlhygiene?: { ignore?: unknown } };
        }
      | undefined;
    const ignore = meta?.custom?.metadata?.mlhygiene?.ignore ?? meta?.metadata?.mlhygiene?.ignore;
    const file = notebookSource(
      uriToPath(notebook.uri),
      cells,
      Array.isArray(ignore) ? ignore.filter((t): t is string => typeof t === 'string') : [],
    );
    return { file, cells: seen };
  }

  private async lintNotebook(uri: string): Promise<void> {
    const notebook = this.notebooks.getNotebookDocument(uri)!;
    const version = notebook.version;
    const editor = await this.settingsFor(uri);
    const { file, cells } = this.notebookSourceOf(notebook);
    const perCell = new Map<string, { finding: Finding; diagnostic: Diagnostic }[]>(
      cells.map((c) => [c.uri, []]),
    );
    const perCellNotices = new Map<string, Diagnostic[]>();
    if (!this.skips(editor, file.path)) {
      const result = lint(file, this.lintSettings(file.path, editor));
      this.logLintProblems(result, uri);
      if (this.notebooks.getNotebookDocument(uri)?.version !== version) return;
      const target: LintTarget = { result, cells };
      // Notices go on the first code cell, where the notebook's Python starts.
      const first = file.notebook!.cells.findIndex((c) => c.kind === 'code');
      const noticeCell = cells[Math.max(0, first)]?.uri;
      const notices = this.noticeDiagnostics(result, uri);
      if (noticeCell && notices.length) perCellNotices.set(noticeCell, notices);
      for (const finding of result.findings) {
        const cell = result.file.notebook!.module.cellAt(finding.start);
        if (!cell) continue;
        perCell
          .get(cells[cell.cellIndex].uri)
          ?.push({ finding, diagnostic: this.toDiagnostic(finding, target) });
      }
    }
    // Sends yield: a newer version or a close may arrive in between, and then this run is stale.
    const current = () => this.notebooks.getNotebookDocument(uri)?.version === version;
    for (const stale of this.publishedCells.get(uri) ?? []) {
      if (!current()) return;
      if (perCell.has(stale)) continue;
      this.lastFindings.delete(stale);
      await this.connection.sendDiagnostics({ uri: stale, diagnostics: [] });
    }
    this.publishedCells.set(uri, new Set(perCell.keys()));
    for (const [cellUri, entries] of perCell) {
      if (!current()) return;
      const before = this.lastFindings.get(cellUri);
      this.lastFindings.set(cellUri, entries);
      const notices = perCellNotices.get(cellUri) ?? [];
      const hadNotices = this.noticeCells.delete(cellUri);
      if (notices.length) this.noticeCells.add(cellUri);
      // A cell that had nothing and still has nothing needs no message.
      if (entries.length === 0 && before?.length === 0 && !notices.length && !hadNotices) continue;
      await this.connection.sendDiagnostics({
        uri: cellUri,
        diagnostics: [...notices, ...entries.map((e) => e.diagnostic)],
      });
    }
  }

  private async closeNotebook(notebook: NotebookDocument): Promise<void> {
    this.cancel(notebook.uri);
    for (const cellUri of this.publishedCells.get(notebook.uri) ?? []) {
      this.lastFindings.delete(cellUri);
      this.noticeCells.delete(cellUri);
      await this.connection.sendDiagnostics({ uri: cellUri, diagnostics: [] });
    }
    this.publishedCells.delete(notebook.uri);
    if (this.scanActive && notebook.uri.startsWith('file:'))
      await this.scanner.lintFile(uriToPath(notebook.uri));
  }

  private isOpen(uri: string): boolean {
    return this.documents.has(uri) || !!this.notebooks.getNotebookDocument(uri);
  }

  /** A scan result: for notebooks, pointed at the `.ipynb` line and prefixed with its cell. */
  private scanDiagnostic(
    result: LintResult,
    index: number,
    located: { prefix: string; line?: number },
  ): Diagnostic {
    const finding = result.findings[index];
    const uri = pathToFileURL(result.file.path).href;
    if (located.line === undefined)
      return this.toDiagnostic(finding, { result, document: { uri, version: null } });
    const diagnostic = this.toDiagnostic(
      { ...finding, fixes: [] },
      { result, document: { uri, version: null } },
    );
    const position = { line: located.line, character: 0 };
    return {
      ...diagnostic,
      range: { start: position, end: position },
      message: `${located.prefix}${diagnostic.message}`,
    };
  }

  /** An LSP range in the document or cell that holds offsets of the linted text. */
  private rangeOf(result: LintResult, start: number, end: number): Range {
    const from = locate(result.file, result.lines, start);
    const to = locate(result.file, result.lines, end);
    return {
      start: from.position,
      end: to.cellIndex === from.cellIndex ? to.position : from.position,
    };
  }

  /** Edits as versioned document changes, so a client applies them only to the text they fit. */
  private workspaceEdit(target: LintTarget, edits: readonly TextEdit[]): WorkspaceEdit | undefined {
    const { result } = target;
    const byUri = new Map<string, { document: SeenDocument; edits: LspTextEdit[] }>();
    const add = (document: SeenDocument, edit: LspTextEdit) => {
      const entry = byUri.get(document.uri) ?? { document, edits: [] };
      entry.edits.push(edit);
      byUri.set(document.uri, entry);
    };
    if (target.document) {
      for (const e of edits)
        add(target.document, { range: this.rangeOf(result, e.start, e.end), newText: e.newText });
    } else {
      const perCell = editsByCell(result.file, edits);
      if (!perCell || !target.cells) return undefined;
      for (const { cellIndex, edit } of perCell) {
        const lines = result.file.notebook!.module.cellByIndex(cellIndex)!.lines;
        add(target.cells[cellIndex], {
          range: { start: lines.positionAt(edit.start), end: lines.positionAt(edit.end) },
          newText: edit.newText,
        });
      }
    }
    const documentChanges: TextDocumentEdit[] = [...byUri.values()].map(({ document, edits }) => ({
      textDocument: { uri: document.uri, version: document.version },
      edits,
    }));
    return { documentChanges };
  }

  private toDiagnostic(finding: Finding, target: LintTarget): Diagnostic {
    const rule = findRule(finding.code)!;
    const data: DiagnosticData = { fixes: [] };
    for (const fix of finding.fixes) {
      const edit = this.workspaceEdit(target, fix.edits);
      if (edit) data.fixes.push({ title: fix.title, safety: fix.safety, edit });
    }
    return {
      range: this.rangeOf(target.result, finding.start, finding.end),
      severity: SEVERITY[finding.severity as Exclude<Severity, 'off'>],
      code: finding.code,
      codeDescription: { href: ruleDocUrl(rule) },
      source: DIAGNOSTIC_SOURCE,
      message: `${finding.message} (${finding.name})`,
      data,
    };
  }

  private async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const { uri } = params.textDocument;
    const only = params.context.only;
    const actions: CodeAction[] = [];
    if (!only || only.some((kind) => CodeActionKind.QuickFix.startsWith(kind))) {
      for (const diagnostic of params.context.diagnostics) {
        const data = diagnostic.data as DiagnosticData | undefined;
        if (diagnostic.source !== DIAGNOSTIC_SOURCE || data?.notice) continue;
        let preferred = true;
        for (const fix of data?.fixes ?? []) {
          actions.push({
            title: `${fix.title} (${diagnostic.code})${fix.safety === 'unsafe' ? ' — review' : ''}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: preferred && fix.safety === 'safe',
            edit: fix.edit,
          });
          preferred = false;
        }
        const suppress = this.suppressAction(uri, diagnostic);
        if (suppress) actions.push(suppress);
      }
    }
    // Fix-all re-lints to a fixpoint, so it runs only when asked for by kind (on save, or the
    // Source Action menu), never for every lightbulb.
    const wantsFixAll = only?.some(
      (kind) => kind !== CodeActionKind.QuickFix && FIX_ALL_KIND.startsWith(kind),
    );
    if (wantsFixAll) {
      const edit = await this.fixAllEdit(uri);
      if (edit)
        actions.push({ title: 'Fix all safe ML Hygiene problems', kind: FIX_ALL_KIND, edit });
    }
    return actions;
  }

  /** `# noqa: CODE` at the end of the diagnostic's line, merged into an existing noqa comment. */
  private suppressAction(uri: string, diagnostic: Diagnostic): CodeAction | undefined {
    const text = this.textOf(uri);
    if (text === undefined) return undefined;
    const line = diagnostic.range.start.line;
    const lines = new LineIndex(text);
    // A diagnostic of an older version may name a line the text no longer has.
    if (line >= lines.lineCount) return undefined;
    const content = lines.lineText(line);
    // A bare `# noqa` already silences every rule on the line.
    if (/#\s*noqa\s*$/.test(content)) return undefined;
    const end = { line, character: content.length };
    const newText = /#\s*noqa:\s*([A-Za-z0-9_,\s-]+)$/.test(content)
      ? `, ${diagnostic.code}`
      : `  # noqa: ${diagnostic.code}`;
    return {
      title: `Suppress ${diagnostic.code} on this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: [{ range: { start: end, end }, newText }] } },
    };
  }

  private textOf(uri: string): string | undefined {
    return this.documents.get(uri)?.text ?? this.notebooks.cellTextDocuments.get(uri)?.getText();
  }

  /** One edit that applies every safe fix (to a fixpoint) to a document or a whole notebook. */
  private async fixAllEdit(uri: string): Promise<WorkspaceEdit | undefined> {
    await this.ready;
    const document = this.documents.get(uri);
    const notebook = document
      ? undefined
      : (this.notebooks.findNotebookDocumentForCell(uri) ??
        this.notebooks.getNotebookDocument(uri));
    const settingsUri = document ? uri : notebook?.uri;
    if (!settingsUri) return undefined;
    const editor = await this.settingsFor(settingsUri);
    if (document) {
      const path = uriToPath(uri);
      if (this.skips(editor, path)) return undefined;
      const fixed = fixAll(pythonSource(path, document.text), this.lintSettings(path, editor));
      if (fixed.file.text === document.text) return undefined;
      return wholeTextEdits(
        [{ uri, version: document.version }],
        [document.text],
        [fixed.file.text],
      );
    }
    const { file, cells } = this.notebookSourceOf(notebook!);
    if (this.skips(editor, file.path)) return undefined;
    const fixed = fixAll(file, this.lintSettings(file.path, editor));
    const before = file.notebook!.cells.map((c) => c.source);
    const after = fixed.file.notebook!.cells.map((c) => c.source);
    return wholeTextEdits(cells, before, after);
  }

  private hover(params: HoverParams): Hover | undefined {
    const entries = this.lastFindings.get(params.textDocument.uri) ?? [];
    const { line, character } = params.position;
    const hits = entries.filter(({ diagnostic: { range } }) => {
      const afterStart =
        line > range.start.line ||
        (line === range.start.line && character >= range.start.character);
      const beforeEnd =
        line < range.end.line || (line === range.end.line && character <= range.end.character);
      return afterStart && beforeEnd;
    });
    if (hits.length === 0) return undefined;
    const codes = [...new Set(hits.map((h) => h.finding.code))];
    const value = codes.map((code) => renderRuleHover(findRule(code)!)).join('\n---\n');
    return { contents: { kind: 'markdown', value }, range: hits[0].diagnostic.range };
  }
}

/** Replaces the whole text of every document whose text changed, each at the version it had. */
function wholeTextEdits(
  documents: readonly SeenDocument[],
  before: readonly string[],
  after: readonly string[],
): WorkspaceEdit | undefined {
  const documentChanges: TextDocumentEdit[] = [];
  documents.forEach((document, index) => {
    if (before[index] === after[index]) return;
    const end = new LineIndex(before[index]).positionAt(before[index].length);
    documentChanges.push({
      textDocument: document,
      edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: after[index] }],
    });
  });
  return documentChanges.length ? { documentChanges } : undefined;
}
