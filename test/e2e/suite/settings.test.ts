import * as assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAll,
  openText,
  setSetting,
  waitForCodes,
  waitForDiagnostics,
} from './helpers';

describe('settings changes take effect without a restart', () => {
  before(activateExtension);
  afterEach(async () => {
    await setSetting('mlhygiene', 'ignore', undefined);
    await setSetting('mlhygiene', 'severity', undefined);
  });
  after(closeAll);

  it('mlhygiene.ignore switches rules off by code or name, and back on', async () => {
    const { document } = await openText('settings.py');
    await waitForCodes(document.uri, ['MLH201', 'MLH301']);
    await setSetting('mlhygiene', 'ignore', ['MLH301']);
    await waitForCodes(document.uri, ['MLH201']);
    await setSetting('mlhygiene', 'ignore', ['hardcoded-absolute-path']);
    await waitForCodes(document.uri, ['MLH301']);
    await setSetting('mlhygiene', 'ignore', undefined);
    await waitForCodes(document.uri, ['MLH201', 'MLH301']);
    assert.equal(
      document.isDirty,
      false,
      'nothing was edited: the settings alone re-linted the file',
    );
  });

  it('mlhygiene.severity changes a rule severity', async () => {
    const { document } = await openText('settings.py');
    await waitForCodes(document.uri, ['MLH201', 'MLH301']);
    await setSetting('mlhygiene', 'severity', { MLH201: 'error' });
    const diagnostics = await waitForDiagnostics(document.uri, 'MLH201 as an error', (d) =>
      d.some((x) => x.severity === vscode.DiagnosticSeverity.Error),
    );
    assert.deepEqual(
      diagnostics.map((d) => vscode.DiagnosticSeverity[d.severity]),
      ['Error', 'Warning'],
    );
  });
});
