import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAll,
  diagnosticsOf,
  openText,
  rangeOf,
  seen,
  waitForCodes,
  waitForDiagnostics,
} from './helpers';

describe('a .py file', () => {
  before(activateExtension);
  after(closeAll);

  it('gets diagnostics with the right codes, ranges, texts and severities', async () => {
    const editor = await openText('train.py');
    const { document } = editor;
    const diagnostics = await waitForDiagnostics(
      document.uri,
      'diagnostics on train.py',
      (d) => d.length > 0,
    );
    assert.deepEqual(
      diagnostics.map((d) => seen(document, d)),
      [
        {
          code: 'MLH201',
          range: [3, 20, 3, 48],
          text: '"/home/alice/data/train.csv"',
          severity: 'Warning',
        },
        { code: 'MLH301', range: [4, 8, 4, 18], text: 'torch.load', severity: 'Warning' },
      ],
    );
    const [path, load] = diagnostics;
    assert.match(
      path.message,
      /^Hardcoded absolute path "\/home\/alice\/data\/train\.csv" reaches pandas\.read_csv; .*\(hardcoded-absolute-path\)$/,
    );
    assert.match(
      load.message,
      /`torch\.load` without `weights_only=True`.*\(unsafe-deserialization\)$/,
    );
    // The code links to the rule's page.
    const code = path.code as { value: string; target: vscode.Uri };
    assert.match(code.target.toString(), /MLH201-hardcoded-absolute-path\.md$/);
  });

  it('updates the diagnostics as the user types, before any save', async () => {
    const editor = await openText('train.py');
    const { document } = editor;
    await waitForCodes(document.uri, ['MLH201', 'MLH301']);
    const line = document.lineAt(4).rangeIncludingLineBreak;
    assert.ok(await editor.edit((edit) => edit.delete(line)));
    assert.ok(document.isDirty);
    await waitForCodes(document.uri, ['MLH201']);
    // The path was not touched: its diagnostic keeps its range.
    assert.deepEqual(
      diagnosticsOf(document.uri)[0].range,
      rangeOf(document, '"/home/alice/data/train.csv"'),
    );
  });
});
