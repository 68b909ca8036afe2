import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  type CodeAction,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { applyTextEdits, editsFor, TestLspClient, textAt } from '../harness/lspClient';

const SHA = '86b5e0934494bd15c9632b12f734a8a67f723594';

const SCRIPT = `from transformers import AutoModel

model = AutoModel.from_pretrained("org/name")
`;

/**
 * End to end: the server process gets its own HF_HOME, whose cache holds org/name; the MLH402 code
 * action pins the exact commit of that cache, and the diagnostic is gone once the edit is applied.
 */
describe('MLH402 pins the cached Hugging Face commit through the language server', () => {
  let client: TestLspClient;
  let dir: string;
  let root: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-hf-lsp-'));
    const refs = join(dir, 'hf-home', 'hub', 'models--org--name', 'refs');
    mkdirSync(refs, { recursive: true });
    mkdirSync(join(dir, 'hf-home', 'hub', 'models--org--name', 'snapshots', SHA), {
      recursive: true,
    });
    writeFileSync(join(refs, 'main'), SHA);
    mkdirSync(join(dir, 'ws'));
    root = pathToFileURL(join(dir, 'ws')).href;
    // The server reads the cache location from its own environment, never from this process's.
    const env: NodeJS.ProcessEnv = { ...process.env, HF_HOME: join(dir, 'hf-home') };
    delete env.HF_HUB_CACHE;
    delete env.HUGGINGFACE_HUB_CACHE;
    client = await TestLspClient.start(root, env);
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers the cached commit as the preferred fix; applying it clears the diagnostic', async () => {
    const uri = `${root}/train.py`;
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: SCRIPT },
    });
    const diagnostics = await client.waitFor(uri, (d) => d.some((x) => x.code === 'MLH402'));
    const pin = diagnostics.find((d) => d.code === 'MLH402')!;
    assert.equal(textAt(SCRIPT, pin.range), '"org/name"');
    assert.equal(pin.severity, DiagnosticSeverity.Warning);
    assert.match(pin.message as string, /without a pinned revision/);

    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: pin.range,
      context: { diagnostics: [pin] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title.startsWith('Pin org/name'))!;
    assert.ok(fix, `no pinning action among ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(
      fix.title,
      `Pin org/name to commit ${SHA.slice(0, 12)} from the local Hugging Face cache (MLH402)`,
    );
    assert.equal(fix.isPreferred, true);

    const fixed = applyTextEdits(SCRIPT, editsFor(fix.edit, uri));
    assert.equal(
      fixed,
      `from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/name", revision="${SHA}")\n`,
    );
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    // Diagnostics of the new version arrive without MLH402 (polled, never a fixed sleep).
    const remaining: Diagnostic[] = await client.waitFor(
      uri,
      (d) => !d.some((x) => x.code === 'MLH402'),
    );
    assert.equal(remaining.filter((d) => d.code === 'MLH402').length, 0);
  });
});
