/**
 * Helpers of the in-host suite. Everything waits by polling a condition with a deadline (and
 * re-checks on every diagnostics change), never with a fixed sleep: the language server starts,
 * parses and lints at its own pace on a busy machine.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'mlhygiene.mlhygiene';
export const SOURCE = 'mlhygiene';
/** Generous: the first lint waits for the server to start and load its wasm parser. */
export const WAIT_MS = 45_000;

export function workspaceUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with the e2e workspace (test/e2e/workspace) open');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Activates the extension under test, so a load failure is reported as such. */
export async function activateExtension(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded (extensionDevelopmentPath)`);
  await extension.activate();
}

/**
 * Resolves with the first value `check` returns that is not undefined. Re-checks every 100 ms and
 * whenever diagnostics change; rejects after `timeout` with `what` and the last state seen.
 */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  state: () => string = () => '',
  timeout = WAIT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let busy = false;
    const finish = (action: () => void) => {
      if (done) return;
      done = true;
      clearInterval(interval);
      clearTimeout(timer);
      subscription.dispose();
      action();
    };
    const attempt = async () => {
      if (done || busy) return;
      busy = true;
      try {
        const value = await check();
        if (value !== undefined) finish(() => resolve(value));
      } catch (error) {
        finish(() => reject(error));
      } finally {
        busy = false;
      }
    };
    const interval = setInterval(() => void attempt(), 100);
    const subscription = vscode.languages.onDidChangeDiagnostics(() => void attempt());
    const timer = setTimeout(() => {
      const seen = state();
      finish(() =>
        reject(
          new Error(
            `timed out after ${timeout / 1000} s waiting for ${what}${seen ? `; last seen: ${seen}` : ''}`,
          ),
        ),
      );
    }, timeout);
    void attempt();
  });
}

/** This extension's diagnostics on a document or cell, in document order. */
export function diagnosticsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === SOURCE)
    .sort((a, b) => a.range.start.compareTo(b.range.start) || codeOf(a).localeCompare(codeOf(b)));
}

export function codeOf(diagnostic: vscode.Diagnostic): string {
  const { code } = diagnostic;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/** What the user sees of a diagnostic: code, range (0-based), the highlighted text, severity. */
export interface Seen {
  code: string;
  range: [number, number, number, number];
  text: string;
  severity: string;
}

export function seen(document: vscode.TextDocument, diagnostic: vscode.Diagnostic): Seen {
  const { start, end } = diagnostic.range;
  return {
    code: codeOf(diagnostic),
    range: [start.line, start.character, end.line, end.character],
    text: document.getText(diagnostic.range),
    severity: vscode.DiagnosticSeverity[diagnostic.severity],
  };
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const list = diagnosticsOf(uri).map((d) => {
    const { start, end } = d.range;
    return `${codeOf(d)}@${start.line}:${start.character}-${end.line}:${end.character}`;
  });
  return `[${list.join(', ')}]`;
}

/** Waits until this extension's diagnostics on `uri` satisfy `accept`; returns them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  what: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeout = WAIT_MS,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    what,
    () => {
      const diagnostics = diagnosticsOf(uri);
      return accept(diagnostics) ? diagnostics : undefined;
    },
    () => describeDiagnostics(uri),
    timeout,
  );
}

/** Waits until the codes on `uri` are exactly `codes` (in document order). */
export function waitForCodes(uri: vscode.Uri, codes: string[]): Promise<vscode.Diagnostic[]> {
  return waitForDiagnostics(uri, `codes [${codes.join(', ')}] on ${uri.path}`, (diagnostics) => {
    const actual = diagnostics.map(codeOf);
    return actual.length === codes.length && actual.every((c, i) => c === codes[i]);
  });
}

export async function openText(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(name));
  return vscode.window.showTextDocument(document);
}

/**
 * Opens a notebook in the notebook editor. Right after start the notebook contributions may not
 * be registered yet, so the open is retried until the deadline.
 */
export async function openNotebook(name: string): Promise<vscode.NotebookEditor> {
  const uri = workspaceUri(name);
  let lastError = '';
  return waitFor(
    `${name} to open in the notebook editor`,
    async () => {
      try {
        const notebook = await vscode.workspace.openNotebookDocument(uri);
        const editor = await vscode.window.showNotebookDocument(notebook);
        return editor.notebook.notebookType === 'jupyter-notebook' ? editor : undefined;
      } catch (error) {
        lastError = String(error);
        return undefined;
      }
    },
    () => lastError,
  );
}

/** Reverts every unsaved change and closes all editors, so each test starts from the files. */
export async function closeAll(): Promise<void> {
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (!notebook.isDirty) continue;
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  for (const document of vscode.workspace.textDocuments) {
    if (!document.isDirty || document.uri.scheme !== 'file') continue;
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Sets (or, with undefined, removes) a setting in the workspace's .vscode/settings.json. */
export async function setSetting(section: string, key: string, value: unknown): Promise<void> {
  await vscode.workspace
    .getConfiguration(section)
    .update(key, value, vscode.ConfigurationTarget.Workspace);
  await waitFor(`${section}.${key} to read back`, () => {
    const current = vscode.workspace.getConfiguration(section).inspect(key)?.workspaceValue;
    return JSON.stringify(current) === JSON.stringify(value) ? true : undefined;
  });
}

/** The range of the first occurrence of `text` in a document. */
export function rangeOf(document: vscode.TextDocument, text: string): vscode.Range {
  const offset = document.getText().indexOf(text);
  assert.ok(offset >= 0, `"${text}" is not in ${document.uri.path}`);
  return new vscode.Range(document.positionAt(offset), document.positionAt(offset + text.length));
}
