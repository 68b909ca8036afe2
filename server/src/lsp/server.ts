import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  DiagnosticSeverity,
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
import { notebookSource, pythonSource, type SourceFile } from '../engine/source';
import { editsByCell, fixAll } from '../fixes/fixAll';
import { parsePython } from '../parsing/runtime';
import { LineIndex } from '../parsing/positions';
import {
  Commands,
  DIAGNOSTIC_SOURCE,
  FIX_ALL_KIND,
  SETTINGS_SECTION,
  StatusNotification,
  type StatusParams,
} from '../protocol';
import { findRule } from '../rules';
import { renderRuleHover, ruleDocUrl } from '../rules/render';
import type { Severity, TextEdit } from '../rules/types';
import { OpenDocument } from './documents';

const DEBOUNCE_MS = 120;

const SEVERITY: Record<Exclude<Severity, 'off'>, DiagnosticSeverity> = {
  hint: DiagnosticSeverity.Hint,
  information: DiagnosticSeverity.Information,
  warning: DiagnosticSeverity.Warning,
  error: DiagnosticSeverity.Error,
};

/** What a diagnostic carries in `data`, so code actions never re-lint. */
interface DiagnosticData {
  fixes: { title: string; safety: 'safe' | 'unsafe'; edit: WorkspaceEdit }[];
}

/** A lint target: an open `.py` document or an open notebook. */
type TargetKey = string;

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

export class LintServer {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly notebooks = new NotebookDocuments(TextDocument);
  private readonly timers = new Map<TargetKey, NodeJS.Timeout>();
  private readonly configs = new ConfigLocator();
  private readonly editorSettings = new Map<string, EditorSettings>();
  /** Cell URIs that received diagnostics, per notebook, to clear cells that no longer exist. */
  private readonly publishedCells = new Map<string, Set<string>>();
  /** The last findings per document or cell URI, for hovers. */
  private readonly lastFindings = new Map<string, { finding: Finding; diagnostic: Diagnostic }[]>();
  private readonly reportedConfigProblems = new Set<string>();
  private supportsConfiguration = false;
  private supportsWatchedFiles = false;
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly connection: Connection) {}

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
      void this.settingsFor(textDocument.uri).then((settings) => {
        if (settings.run === 'onType') this.schedule(textDocument.uri, DEBOUNCE_MS);
      });
    });
    connection.onDidSaveTextDocument(({ textDocument }) => this.schedule(textDocument.uri, 0));
    connection.onDidCloseTextDocument(({ textDocument }) => {
      this.documents.get(textDocument.uri)?.dropTree();
      this.documents.delete(textDocument.uri);
      this.cancel(textDocument.uri);
      this.lastFindings.delete(textDocument.uri);
      void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    });

    this.notebooks.onDidOpen((notebook) => this.schedule(notebook.uri, 0));
    this.notebooks.onDidChange(({ notebookDocument }) => {
      void this.settingsFor(notebookDocument.uri).then((settings) => {
        if (settings.run === 'onType') this.schedule(notebookDocument.uri, DEBOUNCE_MS);
      });
    });
    this.notebooks.onDidSave((notebook) => this.schedule(notebook.uri, 0));
    this.notebooks.onDidClose((notebook) => this.closeNotebook(notebook));
    this.notebooks.listen(connection);

    connection.onDidChangeConfiguration(() => {
      this.editorSettings.clear();
      this.relintAll();
    });
    connection.onDidChangeWatchedFiles(() => {
      this.configs.clear();
      this.reportedConfigProblems.clear();
      this.relintAll();
    });
    connection.onCodeAction((params) => this.codeActions(params));
    connection.onHover((params) => this.hover(params));
    connection.onExecuteCommand(async ({ command, arguments: args }) => {
      if (command === Commands.fixAll) {
        const uri = (args?.[0] as { uri?: string } | undefined)?.uri;
        const edit = uri ? await this.fixAllEdit(uri) : undefined;
        if (edit) await connection.workspace.applyEdit({ label: 'ML Hygiene: fix all', edit });
        return edit ? true : false;
      }
      return undefined;
    });
    connection.onShutdown(() => this.dispose());
    connection.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.supportsConfiguration = !!params.capabilities.workspace?.configuration;
    this.supportsWatchedFiles =
      !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    this.ready = ensureEngine();
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
          save: { includeText: false },
        },
        notebookDocumentSync: {
          notebookSelector: [
            { notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] },
          ],
          save: true,
        },
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
          resolveProvider: false,
        },
        hoverProvider: true,
        executeCommandProvider: { commands: [Commands.fixAll] },
      },
      serverInfo: { name: 'mlhygiene', version: '0.1.0' },
    };
  }

  private async initialized(): Promise<void> {
    if (this.supportsWatchedFiles) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/pyproject.toml' }, { globPattern: '**/mlhygiene.toml' }],
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

  private reportConfigProblem(message: string): void {
    if (this.reportedConfigProblems.has(message)) return;
    this.reportedConfigProblems.add(message);
    this.connection.console.warn(message);
    void this.connection.window.showWarningMessage(`ML Hygiene: ${message}`);
    void this.connection.sendNotification(StatusNotification, {
      state: 'warning',
      message,
    } satisfies StatusParams);
  }

  private lintSettings(path: string, editor: EditorSettings): LintSettings {
    const settings = resolveSettings(this.configs.forFile(path), editor);
    for (const message of settings.messages) this.reportConfigProblem(message);
    return settings;
  }

  private relintAll(): void {
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

  private async run(key: TargetKey): Promise<void> {
    try {
      await this.ready;
      if (this.documents.has(key)) await this.lintDocument(key);
      else if (this.notebooks.getNotebookDocument(key)) await this.lintNotebook(key);
    } catch (error) {
      this.connection.console.error(
        `mlhygiene: linting ${key} failed: ${(error as Error).stack ?? error}`,
      );
      void this.connection.sendNotification(StatusNotification, {
        state: 'error',
        message: String(error),
      } satisfies StatusParams);
    }
  }

  private logInternalErrors(result: LintResult, uri: string): void {
    for (const { code, error } of result.internalErrors) {
      this.connection.console.error(`mlhygiene: rule ${code} failed on ${uri}: ${error}`);
    }
  }

  private async lintDocument(uri: string): Promise<void> {
    const document = this.documents.get(uri)!;
    const version = document.version;
    const editor = await this.settingsFor(uri);
    if (!editor.enable) {
      await this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const path = uriToPath(uri);
    const text = document.text;
    const previous = document.takeTree();
    const tree = parsePython(text, previous);
    previous?.delete();
    document.keepTree(tree);
    const result = lint(pythonSource(path, text), this.lintSettings(path, editor), { tree });
    this.logInternalErrors(result, uri);
    // A newer version arrived while linting: its own run publishes.
    if (this.documents.get(uri)?.version !== version) return;
    const entries = result.findings.map((finding) => ({
      finding,
      diagnostic: this.toDiagnostic(finding, result, uri),
    }));
    this.lastFindings.set(uri, entries);
    await this.connection.sendDiagnostics({
      uri,
      version,
      diagnostics: entries.map((e) => e.diagnostic),
    });
  }

  private notebookSourceOf(notebook: NotebookDocument): { file: SourceFile; cellUris: string[] } {
    const cellUris: string[] = [];
    const cells = notebook.cells.map((cell) => {
      cellUris.push(cell.document);
      const tags =
        (
          cell.metadata as
            | { custom?: { metadata?: { tags?: unknown } }; metadata?: { tags?: unknown } }
            | undefined
        )?.custom?.metadata?.tags ??
        (cell.metadata as { metadata?: { tags?: unknown } } | undefined)?.metadata?.tags;
      return {
        kind: cell.kind === 2 ? ('code' as const) : ('markdown' as const),
        source: this.notebooks.getCellTextDocument(cell)?.getText() ?? '',
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
    return { file, cellUris };
  }

  private async lintNotebook(uri: string): Promise<void> {
    const notebook = this.notebooks.getNotebookDocument(uri)!;
    const version = notebook.version;
    const editor = await this.settingsFor(uri);
    const { file, cellUris } = this.notebookSourceOf(notebook);
    const perCell = new Map<string, { finding: Finding; diagnostic: Diagnostic }[]>(
      cellUris.map((u) => [u, []]),
    );
    if (editor.enable) {
      const result = lint(file, this.lintSettings(file.path, editor));
      this.logInternalErrors(result, uri);
      if (this.notebooks.getNotebookDocument(uri)?.version !== version) return;
      const module = result.file.notebook!.module;
      for (const finding of result.findings) {
        const cell = module.cellAt(finding.start);
        if (!cell) continue;
        const cellUri = cellUris[cell.cellIndex];
        perCell
          .get(cellUri)
          ?.push({ finding, diagnostic: this.toDiagnostic(finding, result, cellUri, cellUris) });
      }
    }
    const previous = this.publishedCells.get(uri) ?? new Set<string>();
    for (const stale of previous) {
      if (!perCell.has(stale)) {
        this.lastFindings.delete(stale);
        await this.connection.sendDiagnostics({ uri: stale, diagnostics: [] });
      }
    }
    this.publishedCells.set(uri, new Set(perCell.keys()));
    for (const [cellUri, entries] of perCell) {
      this.lastFindings.set(cellUri, entries);
      await this.connection.sendDiagnostics({
        uri: cellUri,
        diagnostics: entries.map((e) => e.diagnostic),
      });
    }
  }

  private async closeNotebook(notebook: NotebookDocument): Promise<void> {
    this.cancel(notebook.uri);
    for (const cellUri of this.publishedCells.get(notebook.uri) ?? []) {
      this.lastFindings.delete(cellUri);
      await this.connection.sendDiagnostics({ uri: cellUri, diagnostics: [] });
    }
    this.publishedCells.delete(notebook.uri);
  }

  /** Converts offsets of the linted text to an LSP range in the document or cell holding them. */
  private rangeOf(result: LintResult, start: number, end: number) {
    const module = result.file.notebook?.module;
    if (!module)
      return { start: result.lines.positionAt(start), end: result.lines.positionAt(end) };
    const from = module.toCell(start)!;
    const to = module.toCell(end);
    return {
      start: from.position,
      end: to && to.cellIndex === from.cellIndex ? to.position : from.position,
    };
  }

  private workspaceEdit(
    result: LintResult,
    edits: readonly TextEdit[],
    uri: string,
    cellUris?: string[],
  ): WorkspaceEdit | undefined {
    const changes: Record<string, LspTextEdit[]> = {};
    if (!result.file.notebook) {
      changes[uri] = edits.map((e) => ({
        range: this.rangeOf(result, e.start, e.end),
        newText: e.newText,
      }));
      return { changes };
    }
    const perCell = editsByCell(result.file, edits);
    if (!perCell || !cellUris) return undefined;
    for (const { cellIndex, edit } of perCell) {
      const lines = result.file.notebook.module.cellByIndex(cellIndex)!.lines;
      const target = cellUris[cellIndex];
      (changes[target] ??= []).push({
        range: { start: lines.positionAt(edit.start), end: lines.positionAt(edit.end) },
        newText: edit.newText,
      });
    }
    return { changes };
  }

  private toDiagnostic(
    finding: Finding,
    result: LintResult,
    uri: string,
    cellUris?: string[],
  ): Diagnostic {
    const rule = findRule(finding.code)!;
    const data: DiagnosticData = { fixes: [] };
    for (const fix of finding.fixes) {
      const edit = this.workspaceEdit(result, fix.edits, uri, cellUris);
      if (edit) data.fixes.push({ title: fix.title, safety: fix.safety, edit });
    }
    return {
      range: this.rangeOf(result, finding.start, finding.end),
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
    const wantsFixAll =
      only?.some((kind) => FIX_ALL_KIND.startsWith(kind) && kind !== CodeActionKind.QuickFix) ??
      false;
    const wantsQuickFix = !only || only.some((kind) => CodeActionKind.QuickFix.startsWith(kind));
    const actions: CodeAction[] = [];
    if (wantsQuickFix) {
      for (const diagnostic of params.context.diagnostics) {
        if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
        const data = diagnostic.data as DiagnosticData | undefined;
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
    if (
      wantsFixAll ||
      (!only && params.context.diagnostics.some((d) => d.source === DIAGNOSTIC_SOURCE))
    ) {
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
    const lines = new LineIndex(text);
    const line = diagnostic.range.start.line;
    const content = lines.lineText(line);
    const end = { line, character: content.length };
    const noqa = /#\s*noqa:\s*([A-Za-z0-9_,\s-]+)$/.exec(content);
    const edit: LspTextEdit = noqa
      ? { range: { start: end, end }, newText: `, ${diagnostic.code}` }
      : /#\s*noqa\s*$/.test(content)
        ? { range: { start: end, end }, newText: '' }
        : { range: { start: end, end }, newText: `  # noqa: ${diagnostic.code}` };
    if (!edit.newText) return undefined;
    return {
      title: `Suppress ${diagnostic.code} on this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: [edit] } },
    };
  }

  private textOf(uri: string): string | undefined {
    const document = this.documents.get(uri);
    if (document) return document.text;
    const cell = this.notebooks.cellTextDocuments.get(uri);
    return cell?.getText();
  }

  /** One edit that applies every safe fix (to a fixpoint) to a document or a whole notebook. */
  private async fixAllEdit(uri: string): Promise<WorkspaceEdit | undefined> {
    await this.ready;
    const document = this.documents.get(uri);
    if (document) {
      const path = uriToPath(uri);
      const settings = this.lintSettings(path, await this.settingsFor(uri));
      const fixed = fixAll(pythonSource(path, document.text), settings);
      if (fixed.file.text === document.text) return undefined;
      const end = new LineIndex(document.text).positionAt(document.text.length);
      return {
        changes: {
          [uri]: [{ range: { start: { line: 0, character: 0 }, end }, newText: fixed.file.text }],
        },
      };
    }
    const notebook =
      this.notebooks.findNotebookDocumentForCell(uri) ?? this.notebooks.getNotebookDocument(uri);
    if (!notebook) return undefined;
    const { file, cellUris } = this.notebookSourceOf(notebook);
    const settings = this.lintSettings(file.path, await this.settingsFor(notebook.uri));
    const fixed = fixAll(file, settings);
    const changes: Record<string, LspTextEdit[]> = {};
    fixed.file.notebook!.cells.forEach((cell, index) => {
      const before = file.notebook!.cells[index].source;
      if (cell.source === before) return;
      const end = new LineIndex(before).positionAt(before.length);
      changes[cellUris[index]] = [
        { range: { start: { line: 0, character: 0 }, end }, newText: cell.source },
      ];
    });
    return Object.keys(changes).length ? { changes } : undefined;
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
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const { finding } of hits) {
      if (seen.has(finding.code)) continue;
      seen.add(finding.code);
      parts.push(renderRuleHover(findRule(finding.code)!));
    }
    return {
      contents: { kind: 'markdown', value: parts.join('\n---\n') },
      range: hits[0].diagnostic.range,
    };
  }
}
