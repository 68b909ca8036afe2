import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ScanSummary } from '../../server/src/protocol';
import { TestLspClient } from '../harness/lspClient';

const PICKLE = 'import pickle\n\nmodel = pickle.loads(blob)\n';

describe('the scan and the editor honour mlhygiene.exclude and files.exclude', () => {
  let dir: string;
  let client: TestLspClient;
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-scan-excludes-'));
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.mlhygiene]\nselect = ["MLH301"]\n');
    for (const path of ['train.py', 'scratch/try.py', 'src/scratch/deep.py', 'legacy/old.py']) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), PICKLE);
    }
    client = await TestLspClient.start(pathToFileURL(dir).href);
    client.connection.onRequest('window/workDoneProgress/create', () => null);
    client.settings = { exclude: ['scratch'] };
    client.sections['files.exclude'] = { legacy: true, '**/.git': true };
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scans only what neither setting excludes', async () => {
    const summary = (await client.connection.sendRequest('workspace/executeCommand', {
      command: 'mlhygiene.server.scanWorkspace',
    })) as ScanSummary;
    assert.equal(summary.files, 1);
    const found = await client.waitFor(uri('train.py'), (d) => d.length === 1);
    assert.equal(found[0].code, 'MLH301');
    for (const skipped of ['scratch/try.py', 'src/scratch/deep.py', 'legacy/old.py']) {
      assert.equal(client.diagnostics.get(uri(skipped)), undefined, skipped);
    }
  });

  it('publishes nothing for an open file that mlhygiene.exclude matches, and lints it once the setting changes', async () => {
    const opened = uri('scratch/try.py');
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: opened, languageId: 'python', version: 1, text: PICKLE },
    });
    await client.waitFor(opened, (d) => d.length === 0);
    await client.changeSettings({ exclude: [] });
    const found = await client.waitFor(opened, (d) => d.length === 1);
    assert.equal(found[0].code, 'MLH301');
  });
});
