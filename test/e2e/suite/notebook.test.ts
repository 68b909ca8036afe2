import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAll,
  diagnosticsOf,
  openNotebook,
  rangeOf,
  seen,
  waitForCodes,
  waitForDiagnostics,
} from './helpers';

describe('a notebook', () => {
  before(activateExtension);
  after(closeAll);

  it('opens in the notebook editor with diagnostics per cell, a path read two cells later included', async () => {
    const editor = await openNotebook('cross.ipynb');
    assert.equal(
      vscode.window.activeNotebookEditor?.notebook.uri.toString(),
      editor.notebook.uri.toString(),
    );
    const cells = editor.notebook.getCells();
    assert.deepEqual(
      cells.map((c) => [c.kind, c.document.languageId]),
      [
        [vscode.NotebookCellKind.Code, 'python'],
        [vscode.NotebookCellKind.Markup, 'markdown'],
        [vscode.NotebookCellKind.Code, 'python'],
      ],
    );
    const [defining, markdown, reading] = cells;
    // The constant is defined in cell 1 and only reaches I/O in cell 3: reported in cell 1.
    const inFirst = await waitForDiagnostics(
      defining.document.uri,
      'MLH201 in cell 1',
      (d) => d.length > 0,
    );
    assert.deepEqual(
      inFirst.map((d) => seen(defining.document, d)),
      [
        {
          code: 'MLH201',
          range: [3, 12, 3, 40],
          text: '"/home/alice/data/train.csv"',
          severity: 'Warning',
        },
      ],
    );
    assert.match(inFirst[0].message, /reaches pandas\.read_csv \(cell 3, line 1\)/);
    const inThird = await waitForDiagnostics(
      reading.document.uri,
      'MLH301 in cell 3',
      (d) => d.length > 0,
    );
    assert.deepEqual(
      inThird.map((d) => seen(reading.document, d)),
      [{ code: 'MLH301', range: [1, 8, 1, 18], text: 'torch.load', severity: 'Warning' }],
    );
    assert.deepEqual(diagnosticsOf(markdown.document.uri), []);
  });

  it('drops the cross-cell diagnostic once the later cell no longer reads the path', async () => {
    const editor = await openNotebook('cross.ipynb');
    const defining = editor.notebook.cellAt(0);
    const reading = editor.notebook.cellAt(2);
    await waitForCodes(defining.document.uri, ['MLH201']);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      reading.document.uri,
      rangeOf(reading.document, 'pd.read_csv(train_csv)'),
      'len(train_csv)',
    );
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForCodes(defining.document.uri, []);
    // The other cell is linted again too and keeps its own diagnostic.
    assert.deepEqual(
      diagnosticsOf(reading.document.uri).map((d) => seen(reading.document, d).code),
      ['MLH301'],
    );
    // Reading it again brings the diagnostic back.
    const back = new vscode.WorkspaceEdit();
    back.replace(
      reading.document.uri,
      rangeOf(reading.document, 'len(train_csv)'),
      'pd.read_csv(train_csv)',
    );
    assert.ok(await vscode.workspace.applyEdit(back));
    await waitForCodes(defining.document.uri, ['MLH201']);
  });
});
