import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { ScanSummary } from '../../server/src/protocol';
import { TestLspClient } from '../harness/lspClient';

const PICKLE = 'import pickle\n\nmodel = pickle.loads(blob)\n';

const text = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

/** Every cache entry under the storage folder, by file name. */
function entries(storage: string): string[] {
  const root = join(storage, '.mlhygiene_cache');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(root, name));
}

describe('the scan cache in the workspace storage', () => {
  let dir: string;
  let storage: string;
  let client: TestLspClient;
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;
  const start = async () => {
    client = await TestLspClient.start(pathToFileURL(dir).href, process.env, {
      storagePath: storage,
    });
    client.connection.onRequest('window/workDoneProgress/create', () => null);
  };
  const scan = () =>
    client.connection.sendRequest('workspace/executeCommand', {
      command: 'mlhygiene.server.scanWorkspace',
    }) as Promise<ScanSummary>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-scan-cache-'));
    storage = mkdtempSync(join(tmpdir(), 'mlh-storage-'));
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.mlhygiene]\nselect = ["MLH301"]\n');
    writeFileSync(join(dir, 'a.py'), PICKLE);
    writeFileSync(join(dir, 'b.py'), 'print("clean")\n');
    await start();
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  it('stores what a scan published, outside the workspace, and reads it back after a restart', async () => {
    const first = await scan();
    assert.equal(first.files, 2);
    assert.deepEqual(first.byFamily, { inputs: 1 });
    assert.equal(entries(storage).length, 2);
    // Nothing is written into the workspace itself.
    assert.deepEqual(readdirSync(dir).sort(), ['a.py', 'b.py', 'pyproject.toml']);
    // A marked entry shows whether the next scan read it instead of linting.
    for (const entry of entries(storage)) {
      const stored = JSON.parse(readFileSync(entry, 'utf8')) as {
        diagnostics: { message: string }[];
      };
      for (const d of stored.diagnostics) d.message = `from the cache: ${d.message}`;
      writeFileSync(entry, JSON.stringify(stored));
    }
    await client.stop();
    await start();
    const second = await scan();
    assert.deepEqual(second.byFamily, { inputs: 1 });
    const [cached] = await client.waitFor(uri('a.py'), (d) => d.length === 1);
    assert.match(text(cached), /^from the cache: /);
  });

  it('lints again when the file changes', async () => {
    writeFileSync(join(dir, 'a.py'), `# edited\n${PICKLE}`);
    await scan();
    const [fresh] = await client.waitFor(
      uri('a.py'),
      (d) => d.length === 1 && d[0].range.start.line === 3,
    );
    assert.doesNotMatch(text(fresh), /from the cache/);
  });

  it('lints again when the settings or the project configuration change', async () => {
    writeFileSync(join(dir, 'a.py'), PICKLE);
    await scan();
    const [again] = await client.waitFor(uri('a.py'), (d) => d.length === 1);
    // The entry for this content was marked above; the severity setting makes a new key.
    assert.match(text(again), /^from the cache: /);
    await client.changeSettings({ severity: { MLH301: 'information' } });
    await scan();
    await client.waitFor(
      uri('a.py'),
      (d) => d.length === 1 && d[0].severity === 3 && !text(d[0]).startsWith('from the cache'),
    );
    await client.changeSettings({});
    writeFileSync(
      join(dir, 'pyproject.toml'),
      '[tool.mlhygiene]\nselect = ["MLH301"]\nseverity = { MLH301 = "error" }\n',
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('pyproject.toml'), type: 2 }],
    });
    await scan();
    await client.waitFor(
      uri('a.py'),
      (d) => d.length === 1 && d[0].severity === 1 && !text(d[0]).startsWith('from the cache'),
    );
  });

  it('lints again when a project file a rule read changes (the torch pin of MLH301)', async () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.mlhygiene]\nselect = ["MLH301"]\n');
    writeFileSync(join(dir, 'load.py'), 'import torch\n\nstate = torch.load("checkpoint.pt")\n');
    writeFileSync(join(dir, 'requirements.txt'), 'torch==2.1.0\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('pyproject.toml'), type: 2 }],
    });
    await scan();
    const [old] = await client.waitFor(uri('load.py'), (d) => d.length === 1);
    assert.equal(old.severity, 2);
    assert.match(text(old), /the default before torch 2\.6/);
    // Only the requirements change: load.py and the settings are as they were.
    writeFileSync(join(dir, 'requirements.txt'), 'torch==2.6.0\n');
    await scan();
    const [pinned] = await client.waitFor(
      uri('load.py'),
      (d) => d.length === 1 && d[0].severity === 3,
    );
    assert.match(text(pinned), /pinned in requirements\.txt/);
  });
});
