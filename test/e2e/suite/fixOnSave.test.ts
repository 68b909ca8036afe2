import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAll,
  openText,
  setSetting,
  waitFor,
  waitForCodes,
} from './helpers';

const ORIGINAL = [
  'import pandas as pd',
  'import torch',
  '',
  'train = pd.read_csv("/home/alice/data/train.csv")',
  'test = pd.read_csv("/home/alice/data/test.csv")',
  'model = torch.load("model.pt")',
  '',
].join('\n');

/** Types a comment at the end (so there is something to save), then saves as the user does. */
async function editAndSave(editor: vscode.TextEditor, comment: string): Promise<string> {
  const { document } = editor;
  const end = document.lineAt(document.lineCount - 1).range.end;
  assert.ok(await editor.edit((edit) => edit.insert(end, `${comment}\n`)));
  assert.ok(document.isDirty);
  await vscode.commands.executeCommand('workbench.action.files.save');
  await waitFor('the save to finish', () => (document.isDirty ? undefined : true));
  return readFileSync(document.uri.fsPath, 'utf8');
}

describe('source.fixAll.mlhygiene on save', () => {
  before(activateExtension);
  afterEach(() => setSetting('editor', 'codeActionsOnSave', undefined));
  after(closeAll);

  it('changes nothing on save while the user has not enabled it', async () => {
    const editor = await openText('save.py');
    await waitForCodes(editor.document.uri, ['MLH201', 'MLH201', 'MLH301']);
    const saved = await editAndSave(editor, '# reviewed');
    assert.equal(saved, `${ORIGINAL}# reviewed\n`);
    assert.equal(editor.document.getText(), saved);
  });

  it('applies every safe fix, and only the safe ones, when editor.codeActionsOnSave enables it', async () => {
    await setSetting('editor', 'codeActionsOnSave', { 'source.fixAll.mlhygiene': 'explicit' });
    const editor = await openText('save.py');
    await waitForCodes(editor.document.uri, ['MLH201', 'MLH201', 'MLH301']);
    // The extension host writes the setting; the workbench, where save participants run, picks it
    // up a moment later (longer on a loaded machine). A save before that is a plain save, so the
    // user's next save is the one to judge: at most a few are made.
    let saved = '';
    for (let attempt = 1; attempt <= 5; attempt++) {
      saved = await editAndSave(editor, '# saved with fixes');
      if (saved.split('\n').includes('import os')) break;
    }
    assert.equal(editor.document.getText(), saved, 'the fixed text is what was written');
    const lines = saved.split('\n');
    assert.ok(lines.includes('import os'), saved);
    assert.ok(
      lines.some((l) =>
        /^train = pd\.read_csv\(os\.environ\.get\("[A-Z_]+", "\/home\/alice\/data\/train\.csv"\)\)$/.test(
          l,
        ),
      ),
      saved,
    );
    assert.ok(
      lines.some((l) =>
        /^test = pd\.read_csv\(os\.environ\.get\("[A-Z_]+", "\/home\/alice\/data\/test\.csv"\)\)$/.test(
          l,
        ),
      ),
      saved,
    );
    // MLH301's fix (weights_only=True) is unsafe: never applied on save.
    assert.ok(lines.includes('model = torch.load("model.pt")'), saved);
    assert.ok(lines.includes('# saved with fixes'), saved);
    await waitForCodes(editor.document.uri, ['MLH301']);
  });
});
