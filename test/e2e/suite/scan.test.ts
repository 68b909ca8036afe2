import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAll,
  codeOf,
  diagnosticsOf,
  waitForCodes,
  waitForDiagnostics,
  workspaceUri,
} from './helpers';

describe('ML Hygiene: Scan Workspace', () => {
  before(activateExtension);
  after(async () => {
    await vscode.commands.executeCommand('mlhygiene.clearScanResults');
    await vscode.commands.executeCommand('notifications.clearAll');
    await closeAll();
  });

  it('fills the Problems panel for files never opened, a closed notebook included, and clears them', async () => {
    const script = workspaceUri('scanned/job.py');
    const notebook = workspaceUri('scanned/explore.ipynb');
    const opened = (uri: vscode.Uri) =>
      vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()) ||
      vscode.workspace.notebookDocuments.some((n) => n.uri.toString() === uri.toString());
    assert.ok(!opened(script) && !opened(notebook), 'the scanned files are not open');
    assert.deepEqual(diagnosticsOf(script), []);

    // The command waits for the user to dismiss its summary message, so it is not awaited.
    void vscode.commands.executeCommand('mlhygiene.scanWorkspace');
    const inScript = await waitForDiagnostics(
      script,
      'the scan to report job.py',
      (d) => d.length > 0,
    );
    const scriptText = readFileSync(script.fsPath, 'utf8').split('\n');
    assert.deepEqual(
      inScript.map((d) => [
        codeOf(d),
        scriptText[d.range.start.line].slice(d.range.start.character, d.range.end.character),
      ]),
      [
        ['MLH301', 'joblib.load'],
        ['MLH201', '"/srv/models/model.joblib"'],
      ],
    );
    // A closed notebook's finding points at the line of the .ipynb that holds the source line.
    const [inNotebook] = await waitForDiagnostics(
      notebook,
      'the scan to report explore.ipynb',
      (d) => d.length > 0,
    );
    assert.equal(codeOf(inNotebook), 'MLH201');
    assert.match(
      inNotebook.message,
      /^cell 2, line 3: Hardcoded absolute path "\/home\/alice\/data\/raw\.csv"/,
    );
    const notebookLine = readFileSync(notebook.fsPath, 'utf8').split('\n')[
      inNotebook.range.start.line
    ];
    assert.match(notebookLine, /pd\.read_csv\(\\"\/home\/alice\/data\/raw\.csv\\"\)/);

    await vscode.commands.executeCommand('mlhygiene.clearScanResults');
    await waitForCodes(script, []);
    await waitForCodes(notebook, []);
  });
});
