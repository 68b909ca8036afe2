import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAll,
  codeOf,
  openNotebook,
  openText,
  waitForCodes,
  waitForDiagnostics,
} from './helpers';

const FIX_TITLE = /^Read the path from the environment variable ([A-Z][A-Z0-9_]*) \(MLH201\)$/;

/** The quick fixes at a range, as the light bulb asks for them (results carry no diagnostics). */
function quickFixes(uri: vscode.Uri, range: vscode.Range): Thenable<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  );
}

describe('quick fixes', () => {
  before(activateExtension);
  after(closeAll);

  it('vscode.executeCodeActionProvider returns the fix for a notebook cell, and applying it rewrites the cell', async () => {
    const editor = await openNotebook('fix.ipynb');
    const cell = editor.notebook.cellAt(0);
    const before = cell.document.getText();
    const [diagnostic] = await waitForDiagnostics(
      cell.document.uri,
      'MLH201 in cell 1',
      (d) => d.length > 0,
    );
    assert.equal(codeOf(diagnostic), 'MLH201');

    const actions = await quickFixes(cell.document.uri, diagnostic.range);
    const titles = actions.map((a) => a.title);
    assert.equal(titles.length, 2, `actions: ${JSON.stringify(titles)}`);
    assert.match(titles[0], FIX_TITLE);
    assert.equal(titles[1], 'Suppress MLH201 on this line');
    const [fix] = actions;
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.equal(fix.isPreferred, true, 'the safe fix is the preferred one');
    assert.ok(fix.edit, 'the fix carries its edit');

    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const variable = FIX_TITLE.exec(fix.title)![1];
    const after = cell.document.getText();
    assert.notEqual(after, before);
    const lines = after.split('\n');
    assert.ok(lines.includes('import os'), `no "import os" in:\n${after}`);
    assert.ok(
      lines.includes(`train_csv = os.environ.get("${variable}", "/home/alice/data/train.csv")`),
      `the path is not read from ${variable} in:\n${after}`,
    );
    // The other cell is untouched and the diagnostic is gone.
    assert.equal(editor.notebook.cellAt(1).document.getText(), 'frame = pd.read_csv(train_csv)');
    await waitForCodes(cell.document.uri, []);
  });

  it('"Suppress MLH201 on this line" adds a noqa comment to a .py file', async () => {
    const { document } = await openText('suppress.py');
    const [diagnostic] = await waitForCodes(document.uri, ['MLH201']);
    const actions = await quickFixes(document.uri, diagnostic.range);
    const suppress = actions.find((a) => a.title === 'Suppress MLH201 on this line');
    assert.ok(suppress?.edit, `actions: ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(suppress.edit));
    assert.equal(
      document.lineAt(diagnostic.range.start.line).text,
      'frame = pd.read_csv("/home/alice/data/train.csv")  # noqa: MLH201',
    );
    await waitForCodes(document.uri, []);
  });
});
