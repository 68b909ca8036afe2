import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ScanSummary } from '../../server/src/protocol';
import { CancellationTokenSource } from 'vscode-languageserver-protocol';
import { TestLspClient } from '../harness/lspClient';

const ROOT = join(__dirname, '..', '..', '..');
const PICKLE = 'import pickle\n\nmodel = pickle.loads(blob)\n';

describe('workspace scan through the language server', () => {
  let dir: string;
  let client: TestLspClient;
  const progress: { token: unknown; kind: string; percentage?: number }[] = [];
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-scan-'));
    writeFileSync(join(dir, '.gitignore'), 'ignored/\n');
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.mlhygiene]\nselect = ["MLH301"]\n');
    writeFileSync(join(dir, 'a.py'), PICKLE);
    mkdirSync(join(dir, 'ignored'));
    writeFileSync(join(dir, 'ignored', 'b.py'), PICKLE);
    mkdirSync(join(dir, '.venv', 'lib'), { recursive: true });
    writeFileSync(join(dir, '.venv', 'lib', 'c.py'), PICKLE);
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'notebooks', 'mapping.ipynb'),
      join(dir, 'nb.ipynb'),
    );
    // Enough real-sized files that a scan lasts long enough to be cancelled part-way.
    mkdirSync(join(dir, 'many'));
    const body = Array.from({ length: 400 }, (_, i) => `def f${i}(x):\n    return x + ${i}\n`).join(
      '',
    );
    for (let i = 0; i < 150; i++) writeFileSync(join(dir, 'many', `m${i}.py`), body);
    client = await TestLspClient.start(pathToFileURL(dir).href);
    client.connection.onRequest('window/workDoneProgress/create', () => null);
    client.connection.onNotification(
      '$/progress',
      (params: { token: unknown; value: { kind: string; percentage?: number } }) => {
        progress.push({ token: params.token, ...params.value });
      },
    );
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = () =>
    client.connection.sendRequest('workspace/executeCommand', {
      command: 'mlhygiene.server.scanWorkspace',
    }) as Promise<ScanSummary>;

  it('publishes findings for files never opened, honouring .gitignore and default excludes, with progress', async () => {
    const summary = await scan();
    assert.equal(summary.cancelled, false);
    assert.equal(summary.files, 152);
    assert.deepEqual(summary.byFamily, { inputs: 2 });
    const a = await client.waitFor(uri('a.py'), (d) => d.length === 1);
    assert.deepEqual([a[0].code, a[0].range.start], ['MLH301', { line: 2, character: 8 }]);
    assert.equal(client.diagnostics.get(uri('ignored/b.py')), undefined);
    assert.equal(client.diagnostics.get(uri('.venv/lib/c.py')), undefined);
    assert.deepEqual(
      progress.map((p) => p.kind).filter((k, i, all) => k !== all[i - 1]),
      ['begin', 'report', 'end'],
    );
  });

  it("points a closed notebook's finding at the .ipynb line holding the source, saying cell and line", async () => {
    const [diagnostic] = await client.waitFor(uri('nb.ipynb'), (d) => d.length === 1);
    const line = readFileSync(join(dir, 'nb.ipynb'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('torch.load(\\"s.pt\\")'));
    assert.equal(diagnostic.range.start.line, line);
    assert.match(
      String(diagnostic.message),
      /^cell 5, line 3: `torch\.load` without `weights_only=True`/,
    );
  });

  it('keeps results fresh: a changed file is re-linted, a deleted one cleared', async () => {
    writeFileSync(join(dir, 'a.py'), `${PICKLE}other = pickle.loads(more)\n`);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('a.py'), type: 2 }],
    });
    await client.waitFor(uri('a.py'), (d) => d.length === 2);
    unlinkSync(join(dir, 'a.py'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('a.py'), type: 3 }],
    });
    await client.waitFor(uri('a.py'), (d) => d.length === 0);
  });

  it("is replaced by the editor's per-cell diagnostics when the notebook opens", async () => {
    const nb = uri('nb.ipynb');
    const cell = `vscode-notebook-cell:${join(dir, 'nb.ipynb')}#c1`;
    await client.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: {
        uri: nb,
        notebookType: 'jupyter-notebook',
        version: 1,
        cells: [{ kind: 2, document: cell }],
      },
      cellTextDocuments: [
        {
          uri: cell,
          languageId: 'python',
          version: 1,
          text: 'import torch\nstate = torch.load("s.pt")\n',
        },
      ],
    });
    await client.waitFor(nb, (d) => d.length === 0);
    await client.waitFor(cell, (d) => d.length === 1);
  });

  it('can be cancelled mid-scan from the progress notification', async () => {
    progress.length = 0;
    let cancelled = false;
    client.connection.onNotification(
      '$/progress',
      (params: { token: string | number; value: { kind: string } }) => {
        progress.push({ token: params.token, ...params.value });
        if (params.value.kind === 'report' && !cancelled) {
          cancelled = true;
          void client.connection.sendNotification('window/workDoneProgress/cancel', {
            token: params.token,
          });
        }
      },
    );
    const summary = await scan();
    assert.equal(summary.cancelled, true);
    assert.ok(summary.files < 150, `scanned ${summary.files} files after cancelling`);
  });

  it('reports to the progress the client created and stops when the client cancels the request', async () => {
    // VS Code's client shows the scan as a notification with a Cancel button, which cancels the
    // request itself; the server must use that token and that progress, and create none of its own.
    progress.length = 0;
    let created = 0;
    client.connection.onRequest('window/workDoneProgress/create', () => {
      created++;
      return null;
    });
    const source = new CancellationTokenSource();
    client.connection.onNotification(
      '$/progress',
      (params: { token: string | number; value: { kind: string; message?: string } }) => {
        progress.push({ token: params.token, ...params.value });
        if (params.value.kind === 'report') source.cancel();
      },
    );
    const summary = (await client.connection.sendRequest(
      'workspace/executeCommand',
      { command: 'mlhygiene.server.scanWorkspace', workDoneToken: 'client-scan-1' },
      source.token,
    )) as ScanSummary;
    assert.equal(summary.cancelled, true);
    assert.ok(summary.files < 150, `scanned ${summary.files} files after cancelling`);
    assert.equal(created, 0);
    assert.ok(progress.length >= 3);
    assert.ok(progress.every((p) => p.token === 'client-scan-1'));
    assert.deepEqual([progress[0].kind, progress.at(-1)!.kind], ['begin', 'end']);
  });

  it('clears every scan result on request', async () => {
    writeFileSync(join(dir, 'z.py'), PICKLE);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('z.py'), type: 1 }],
    });
    await client.waitFor(uri('z.py'), (d) => d.length === 1);
    const cleared = (await client.connection.sendRequest('workspace/executeCommand', {
      command: 'mlhygiene.server.clearScanResults',
    })) as number;
    assert.ok(cleared >= 1);
    await client.waitFor(uri('z.py'), (d) => d.length === 0);
  });
});
