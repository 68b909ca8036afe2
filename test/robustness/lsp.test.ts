import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  type CodeAction,
  type Diagnostic,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/parsing/positions';
import { TrustGrantedNotification, type ScanSummary } from '../../server/src/protocol';
import { editsFor, TestLspClient } from '../harness/lspClient';

const PICKLE = 'import pickle\n\nmodel = pickle.loads(blob)\n';
/** A training function whose prints MLH101 reports, and an unsafe load MLH301 reports. */
const TRAINING = `import pickle
import torch


def train(model, loader):
    state = pickle.loads(blob)
${'    print("step")\n'.repeat(40)}    torch.save(model.state_dict(), "m.pt")
`;

/** Text covered by an LSP range, with `\r`, `\n` and `\r\n` all ending lines. */
function textAt(text: string, range: Diagnostic['range']): string {
  const lines = new LineIndex(text);
  return text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort(
    (a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start),
  );
  let out = text;
  for (const edit of sorted)
    out =
      out.slice(0, lines.offsetAt(edit.range.start)) +
      edit.newText +
      out.slice(lines.offsetAt(edit.range.end));
  return out;
}

function workspace(
  prefix: string,
  pyproject?: string,
): { dir: string; uri: (n: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (pyproject) writeFileSync(join(dir, 'pyproject.toml'), `[tool.mlhygiene]\n${pyproject}\n`);
  return { dir, uri: (name) => pathToFileURL(join(dir, name)).href };
}

async function open(client: TestLspClient, uri: string, text: string, version = 1) {
  await client.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'python', version, text },
  });
}

function logsOf(client: TestLspClient): string[] {
  const logs: string[] = [];
  client.connection.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
  });
  return logs;
}

describe('a rule that throws, through the language server', () => {
  let client: TestLspClient;
  let ws: ReturnType<typeof workspace>;
  let logs: string[];
  before(async () => {
    ws = workspace('mlh-iso-', 'select = ["MLH101", "MLH301"]');
    const env = { ...process.env, MLHYGIENE_FAULT_INJECTION: 'MLH101:throw' };
    client = await TestLspClient.start(pathToFileURL(ws.dir).href, env);
    logs = logsOf(client);
  });
  after(async () => {
    await client.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  });

  it("is logged once per file with the rule and file; the other rules' findings appear", async () => {
    const uri = ws.uri('train.py');
    await open(client, uri, TRAINING);
    const first = await client.waitFor(uri, (d) => d.length > 0);
    assert.deepEqual(
      first.map((d) => d.code),
      ['MLH301'],
    );
    for (let version = 2; version <= 5; version++) {
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ text: TRAINING.replace('"step"', `"step ${version}"`) }],
      });
      await client.waitFor(uri, (d) => d.length === 1 && d[0].code === 'MLH301');
    }
    // A second file gets its own line: the server kept serving.
    const other = ws.uri('other.py');
    await open(client, other, TRAINING);
    await client.waitFor(other, (d) => d.length === 1);
    const failures = logs.filter((l) => l.includes('rule MLH101 failed'));
    assert.equal(failures.length, 2, failures.join('\n'));
    assert.match(
      failures[0],
      new RegExp(
        `^mlhygiene: rule MLH101 failed on ${uri}: Error: fault injected into MLH101 by MLHYGIENE_FAULT_INJECTION`,
      ),
    );
    assert.ok(failures[1].includes(other));
  });

  it('is logged by the scan too, once, for a file never opened', async () => {
    writeFileSync(join(ws.dir, 'closed.py'), TRAINING);
    client.connection.onRequest('window/workDoneProgress/create', () => null);
    const scan = () =>
      client.connection.sendRequest('workspace/executeCommand', {
        command: 'mlhygiene.server.scanWorkspace',
      });
    await scan();
    await scan();
    const closed = ws.uri('closed.py');
    const found = await client.waitFor(closed, (d) => d.length === 1);
    assert.equal(found[0].code, 'MLH301');
    const failures = logs.filter((l) => l.includes(`rule MLH101 failed on ${closed}`));
    assert.equal(failures.length, 1, failures.join('\n'));
  });
});

describe('a rule past its time budget, through the language server', () => {
  let client: TestLspClient;
  let ws: ReturnType<typeof workspace>;
  before(async () => {
    ws = workspace('mlh-slow-', 'select = ["MLH101", "MLH301"]\nrule-timeout = 100');
    const env = { ...process.env, MLHYGIENE_FAULT_INJECTION: 'MLH101:slow' };
    client = await TestLspClient.start(pathToFileURL(ws.dir).href, env);
  });
  after(async () => {
    await client.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  });

  it('is stopped, and an information diagnostic at the top of the file says so', async () => {
    const uri = ws.uri('train.py');
    await open(client, uri, TRAINING);
    const diagnostics = await client.waitFor(uri, (d) => d.length > 0);
    const notice = diagnostics[0];
    assert.equal(notice.severity, DiagnosticSeverity.Information);
    assert.deepEqual(notice.range, {
      start: { line: 0, character: 0 },
      end: { line: 0, character: 0 },
    });
    assert.equal(
      String(notice.message),
      'MLH101 (print-instead-of-logging) was stopped after 100 ms on this file (rule-timeout); its findings here may be incomplete',
    );
    assert.ok(diagnostics.some((d) => d.code === 'MLH301'));
    const prints = diagnostics.filter((d) => d.code === 'MLH101').length;
    assert.ok(prints < 40, `${prints} prints reported`);
    // No code action is offered for the notice itself.
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: notice.range,
      context: { diagnostics: [notice] },
    })) as CodeAction[];
    assert.deepEqual(actions, []);
  });
});

describe('hostile documents in the editor', () => {
  let client: TestLspClient;
  let ws: ReturnType<typeof workspace>;
  before(async () => {
    ws = workspace('mlh-edit-', 'select = ["MLH301", "MLH104"]');
    client = await TestLspClient.start(pathToFileURL(ws.dir).href);
  });
  after(async () => {
    await client.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  });

  it('skips a 10 MB document with a notice; mlhygiene.maxFileSize = 0 lints it', async () => {
    const uri = ws.uri('huge.py');
    const text = PICKLE + 'value = compute(1, 2, 3)  # generated\n'.repeat(260_000);
    await open(client, uri, text);
    const [notice, ...rest] = await client.waitFor(uri, (d) => d.length > 0, 30_000);
    assert.equal(rest.length, 0);
    assert.equal(notice.severity, DiagnosticSeverity.Information);
    assert.match(
      String(notice.message),
      /^ML Hygiene skipped this file: 9\.4 MiB of Python is above the limit of 1\.0 MiB/,
    );
    await client.changeSettings({ maxFileSize: 0 });
    const linted = await client.waitFor(uri, (d) => d.some((x) => x.code === 'MLH301'), 60_000);
    assert.ok(linted.every((d) => !String(d.message).startsWith('ML Hygiene skipped')));
    await client.changeSettings({});
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  it('survives invalid and deeply nested documents and keeps serving', async () => {
    const deep = ws.uri('deep.py');
    let text = '';
    for (let i = 0; i < 1000; i++) text += `${' '.repeat(i)}with open("/a/${i}") as f:\n`;
    await open(client, deep, text + ' '.repeat(1000) + 'pass\n');
    const [notice] = await client.waitFor(deep, (d) => d.length > 0);
    assert.match(String(notice.message), /statements are nested 1000 levels deep/);
    const nul = ws.uri('nul.py');
    await open(client, nul, PICKLE + 'x = "\0"\n');
    await client.waitFor(nul, (d) => d.some((x) => x.code === 'MLH301'));
  });

  const endings: [string, string][] = [
    ['CRLF', '\r\n'],
    ['lone CR', '\r'],
  ];
  for (const [label, eol] of endings) {
    it(`ranges and fixes are right in a ${label} document and keep its line endings`, async () => {
      const uri = ws.uri(`${label.replace(' ', '-')}.py`);
      const text = [
        'import logging',
        'import torch',
        '',
        'logger = logging.getLogger(__name__)',
        'state = torch.load("w.pt")',
        'logger.info("loaded %s", state)',
        'if __name__ == "__main__":',
        '    logger.info("start")',
        '',
      ].join(eol);
      await open(client, uri, text);
      const diagnostics = await client.waitFor(uri, (d) => d.some((x) => x.code === 'MLH301'));
      const load = diagnostics.find((d) => d.code === 'MLH301')!;
      assert.deepEqual(load.range.start, { line: 4, character: 8 });
      assert.equal(textAt(text, load.range), 'torch.load');
      for (const diagnostic of diagnostics) {
        const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
          textDocument: { uri },
          range: diagnostic.range,
          context: { diagnostics: [diagnostic] },
        })) as CodeAction[];
        const fixes = actions.filter((a) => !a.title.startsWith('Suppress'));
        assert.ok(fixes.length > 0, `no fix for ${diagnostic.code}`);
        for (const fix of [...fixes, ...actions.filter((a) => a.title.startsWith('Suppress'))]) {
          const fixed = applyEdits(text, editsFor(fix.edit, uri));
          assert.notEqual(fixed, text);
          const other = eol === '\r\n' ? /\r(?!\n)|(?<!\r)\n/ : /\n/;
          assert.doesNotMatch(
            fixed,
            other,
            `${fix.title} mixed line endings: ${JSON.stringify(fixed)}`,
          );
        }
      }
    });
  }

  it('counts an astral character as two UTF-16 units in ranges', async () => {
    const uri = ws.uri('astral.py');
    const text = 'import pickle\nx = "😀😀"; model = pickle.loads(blob)\n';
    await open(client, uri, text);
    const [d] = await client.waitFor(uri, (x) => x.length === 1);
    assert.deepEqual(d.range.start, { line: 1, character: 20 });
    assert.equal(textAt(text, d.range), 'pickle.loads');
  });
});

describe('an untrusted workspace, through the language server', () => {
  const SHA = '86b5e0934494bd15c9632b12f734a8a67f723594';
  let client: TestLspClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-trust-'));
    const repo = join(dir, 'hf-home', 'hub', 'models--org--name');
    mkdirSync(join(repo, 'refs'), { recursive: true });
    mkdirSync(join(repo, 'snapshots', SHA), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), SHA);
    mkdirSync(join(dir, 'ws'));
    const env: NodeJS.ProcessEnv = { ...process.env, HF_HOME: join(dir, 'hf-home') };
    delete env.HF_HUB_CACHE;
    delete env.HUGGINGFACE_HUB_CACHE;
    client = await TestLspClient.start(pathToFileURL(join(dir, 'ws')).href, env, {
      workspaceTrusted: false,
    });
  });
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports MLH402 without reading the Hugging Face cache until trust is granted', async () => {
    const uri = pathToFileURL(join(dir, 'ws', 'train.py')).href;
    const script =
      'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/name")\n';
    await open(client, uri, script);
    const [untrusted] = await client.waitFor(uri, (d) => d.some((x) => x.code === 'MLH402'));
    const titles = (d: Diagnostic) =>
      (d.data as { fixes: { title: string }[] }).fixes.map((f) => f.title);
    // Only the placeholder fix: nothing was read from the cache outside the workspace.
    assert.equal(
      titles(untrusted).some((t) => t.includes(SHA.slice(0, 12))),
      false,
    );
    await client.connection.sendNotification(TrustGrantedNotification);
    const [trusted] = await client.waitFor(uri, (d) =>
      d.some((x) => titles(x).some((t) => t.includes(SHA.slice(0, 12)))),
    );
    assert.equal(
      titles(trusted)[0],
      `Pin org/name to commit ${SHA.slice(0, 12)} from the local Hugging Face cache`,
    );
  });
});

describe('a scan of a hostile workspace', () => {
  let client: TestLspClient;
  let ws: ReturnType<typeof workspace>;
  before(async () => {
    ws = workspace('mlh-hscan-', 'select = ["MLH301"]\nmax-file-size = 4000');
    const { dir } = ws;
    writeFileSync(join(dir, 'a.py'), PICKLE);
    writeFileSync(join(dir, 'big.py'), PICKLE + '#'.repeat(5000) + '\n');
    writeFileSync(join(dir, 'bad.ipynb'), '{"nbformat": 3}');
    symlinkSync('.', join(dir, 'loop'));
    symlinkSync(join(dir, 'b-link'), join(dir, 'a-link'));
    symlinkSync(join(dir, 'a-link'), join(dir, 'b-link'));
    symlinkSync(join(dir, 'missing.py'), join(dir, 'dangling.py'));
    execFileSync('mkfifo', [join(dir, 'fifo.py')]);
    mkdirSync(join(dir, 'folder.py'));
    writeFileSync(join(dir, 'folder.py', 'inner.py'), PICKLE);
    // Enough files that the scan is still running when the last one is deleted.
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 120; i++) writeFileSync(join(dir, 'many', `m${i}.py`), PICKLE);
    writeFileSync(join(dir, 'zz-deleted.py'), PICKLE);
    client = await TestLspClient.start(pathToFileURL(dir).href);
    client.connection.onRequest('window/workDoneProgress/create', () => null);
  });
  after(async () => {
    await client.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  });

  it('finishes: loops and FIFOs are not followed, a deleted file is no error, problems are named', async () => {
    let deleted = false;
    client.connection.onNotification('$/progress', (p: { value: { kind: string } }) => {
      if (p.value.kind === 'report' && !deleted) {
        deleted = true;
        unlinkSync(join(ws.dir, 'zz-deleted.py'));
      }
    });
    const summary = (await client.connection.sendRequest('workspace/executeCommand', {
      command: 'mlhygiene.server.scanWorkspace',
    })) as ScanSummary;
    assert.equal(deleted, true);
    assert.deepEqual(summary.errors, [
      `${join(ws.dir, 'bad.ipynb')}: not a valid notebook: nbformat 3 is not supported (nbformat 4 is required)`,
    ]);
    // a.py, bad.ipynb, big.py, folder.py/inner.py, the 120 files and zz-deleted.py (gone when its
    // turn came).
    assert.equal(summary.files, 125);
    assert.equal(summary.findings, 122);
    const [notice] = await client.waitFor(ws.uri('big.py'), (d) => d.length === 1);
    assert.equal(notice.severity, DiagnosticSeverity.Information);
    assert.match(
      String(notice.message),
      /^ML Hygiene skipped this file: 5 KiB of Python is above the limit of 4 KiB/,
    );
    await client.waitFor(ws.uri('folder.py/inner.py'), (d) => d.length === 1);
    assert.equal(client.diagnostics.get(ws.uri('zz-deleted.py')), undefined);
    assert.equal(client.diagnostics.get(ws.uri('fifo.py')), undefined);
  });
});
