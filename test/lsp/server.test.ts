import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CodeActionRequest,
  DiagnosticSeverity,
  HoverRequest,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { applyTextEdits, editsFor, TestLspClient, textAt, versionFor } from '../harness/lspClient';

const FOUR_RULES = 'select = ["MLH102", "MLH201", "MLH301", "MLH401"]';

const SCRIPT = `import torch as th
import pandas as pd

DATA = "/home/alice/data/train.csv"

def load():
    frame = pd.read_csv(DATA)
    state = th.load("ckpt.pt")
    return frame, state
`;

describe('language server over JSON-RPC (dist/server.js)', () => {
  let client: TestLspClient;
  let dir: string;
  let root: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-lsp-'));
    // These tests are about the protocol, so they pin the rule set they were written against.
    writeFileSync(join(dir, 'pyproject.toml'), `[tool.mlhygiene]\n${FOUR_RULES}\n`);
    root = pathToFileURL(dir).href;
    client = await TestLspClient.start(root);
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (name: string, text: string, version = 1) => {
    const uri = `${root}/${name}`;
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version, text },
    });
    return uri;
  };

  const codeActions = (uri: string, diagnostics: Diagnostic[], only?: string[]) =>
    client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0]?.range ?? {
        start: { line: 0, character: 0 },
        end: { line: 0, character: 0 },
      },
      context: { diagnostics, ...(only ? { only } : {}) },
    }) as Promise<CodeAction[]>;

  it('publishes diagnostics with exact ranges, code, source and documentation link', async () => {
    const uri = await open('script.py', SCRIPT);
    const diagnostics = await client.waitFor(uri, (d) => d.length === 2);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, textAt(SCRIPT, d.range), d.range.start]),
      [
        ['MLH201', '"/home/alice/data/train.csv"', { line: 3, character: 7 }],
        ['MLH301', 'th.load', { line: 7, character: 12 }],
      ],
    );
    for (const d of diagnostics) {
      assert.equal(d.source, 'mlhygiene');
      assert.equal(d.severity, DiagnosticSeverity.Warning);
      assert.match(d.codeDescription!.href, new RegExp(`docs/rules/${d.code}-[a-z-]+\\.md$`));
    }
  });

  it('offers the rule fix (preferred when safe) and a suppression; applying the fix removes the diagnostic', async () => {
    const uri = `${root}/script.py`;
    const diagnostics = await client.waitFor(uri, (d) => d.length === 2);
    const pathDiagnostic = diagnostics.find((d) => d.code === 'MLH201')!;
    const actions = await codeActions(uri, [pathDiagnostic]);
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred ?? false]),
      [
        ['Read the path from the environment variable DATA_PATH (MLH201)', true],
        ['Suppress MLH201 on this line', false],
      ],
    );
    // The edit names the version it was computed for, so a client never applies it to newer text.
    assert.equal(versionFor(actions[0].edit, uri), 1);
    const fixed = applyTextEdits(SCRIPT, editsFor(actions[0].edit, uri));
    assert.match(fixed, /^import os$/m);
    assert.match(
      fixed,
      /DATA = os\.environ\.get\("DATA_PATH", "\/home\/alice\/data\/train\.csv"\)/,
    );
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    const after = await client.waitFor(uri, (d) => d.length === 1);
    assert.equal(after[0].code, 'MLH301');

    // The suppression comment silences exactly that line.
    const suppress = (await codeActions(uri, after)).find(
      (a) => a.title === 'Suppress MLH301 on this line',
    )!;
    const suppressed = applyTextEdits(fixed, editsFor(suppress.edit, uri));
    assert.match(suppressed, /th\.load\("ckpt\.pt"\)  # noqa: MLH301$/m);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ text: suppressed }],
    });
    await client.waitFor(uri, (d) => d.length === 0);
  });

  it('re-lints incremental changes (tree-sitter edits) with the right ranges', async () => {
    const text = 'import pickle\n\nx = 1\n';
    const uri = await open('incremental.py', text);
    await client.waitFor(uri, (d) => d.length === 0);
    // Insert a call on line 3, then edit inside it; both are range edits.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line: 2, character: 5 }, end: { line: 2, character: 5 } },
          text: '\ny = pickle.loads(blob)',
        },
      ],
    });
    const first = await client.waitFor(uri, (d) => d.length === 1);
    assert.deepEqual(first[0].range, {
      start: { line: 3, character: 4 },
      end: { line: 3, character: 16 },
    });
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          text: '# header\n',
        },
        {
          range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } },
          text: '    ',
        },
      ],
    });
    // `    y = ...` at module level is an indentation error, but the call is still found one line lower.
    const second = await client.waitFor(uri, (d) => d.length === 1 && d[0].range.start.line === 4);
    assert.deepEqual(second[0].range, {
      start: { line: 4, character: 8 },
      end: { line: 4, character: 20 },
    });
  });

  it('shows the rule documentation on hover', async () => {
    const text = 'import yaml\ncfg = yaml.load(open("c.yaml"))\n';
    const uri = await open('hover.py', text);
    await client.waitFor(uri, (d) => d.length === 1);
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 1, character: 10 },
    });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /\*\*MLH301 unsafe-deserialization\*\*/);
    assert.match(value, /Why:/);
  });

  it('answers source.fixAll.mlhygiene with every safe fix at once', async () => {
    const text =
      'import pandas as pd\ntry:\n    df = pd.read_csv("/data/team/a.csv")\nexcept Exception:\n    df = None\n';
    const uri = await open('fixall.py', text);
    await client.waitFor(uri, (d) => d.length === 2);
    const actions = await codeActions(uri, [], ['source.fixAll.mlhygiene']);
    assert.equal(actions.length, 1);
    const fixed = applyTextEdits(text, editsFor(actions[0].edit, uri));
    assert.equal(
      fixed,
      'import pandas as pd\nimport os\nimport logging\nlogger = logging.getLogger(__name__)\ntry:\n    df = pd.read_csv(os.environ.get("A_PATH", "/data/team/a.csv"))\nexcept Exception:\n    logger.exception("Error ignored here")\n    df = None\n',
    );
  });

  it('applies settings changes (mlhygiene.ignore) without a restart', async () => {
    const uri = `${root}/fixall.py`;
    await client.waitFor(uri, (d) => d.length === 2);
    await client.changeSettings({ ignore: ['hardcoded-absolute-path'] });
    const remaining = await client.waitFor(uri, (d) => d.length === 1);
    assert.equal(remaining[0].code, 'MLH102');
    await client.changeSettings({});
    await client.waitFor(uri, (d) => d.length === 2);
  });

  it('does nothing for a disabled workspace: no diagnostics and no fix-all', async () => {
    const uri = `${root}/fixall.py`;
    await client.changeSettings({ enable: false });
    await client.waitFor(uri, (d) => d.length === 0);
    assert.deepEqual(await codeActions(uri, [], ['source.fixAll.mlhygiene']), []);
    await client.changeSettings({});
    await client.waitFor(uri, (d) => d.length === 2);
  });

  it('leaves files in excluded folders alone (virtualenvs, site-packages)', async () => {
    const text = 'import torch\nstate = torch.load(path)\n';
    const excluded = await open('.venv/lib/python3.11/site-packages/torch/hub.py', text);
    const included = await open('src/hub.py', text);
    await client.waitFor(included, (d) => d.length === 1);
    assert.deepEqual(await client.waitFor(excluded, () => true), []);
  });

  it('re-lints when pyproject.toml changes', async () => {
    const project = join(dir, 'proj');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(project);
    const uri = `${pathToFileURL(project).href}/job.py`;
    const text = 'import joblib\nm = joblib.load("m.joblib")\n';
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    await client.waitFor(uri, (d) => d.length === 1);
    writeFileSync(
      join(project, 'pyproject.toml'),
      `[tool.mlhygiene]\n${FOUR_RULES}\nignore = ["MLH301"]\n`,
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: `${pathToFileURL(project).href}/pyproject.toml`, type: 1 }],
    });
    await client.waitFor(uri, (d) => d.length === 0);
  });

  describe('notebooks (notebookDocument sync)', () => {
    const nbUri = () => `${root}/explore.ipynb`;
    const cell = (n: number) => `vscode-notebook-cell:${dir}/explore.ipynb#cell${n}`;
    const markdownCell = `vscode-notebook-cell:${dir}/explore.ipynb#markdown`;
    const cells = [
      'import pandas as pd\nimport torch\nDATA_DIR = "/content/drive/MyDrive/churn"\n',
      '%matplotlib inline\nframe = pd.read_csv(f"{DATA_DIR}/customers.csv")\n',
      'clean = frame.dropna()\n',
      'model = torch.load("m.pt")\n',
    ];

    it('lints all code cells as one program and publishes per cell, empty lists for clean cells', async () => {
      await client.connection.sendNotification('notebookDocument/didOpen', {
        notebookDocument: {
          uri: nbUri(),
          notebookType: 'jupyter-notebook',
          version: 1,
          // A markdown cell sits between the first two code cells, as in VS Code's "Cell 3 of 5".
          cells: [
            { kind: 2, document: cell(1) },
            { kind: 1, document: markdownCell },
            ...cells.slice(1).map((_, i) => ({ kind: 2, document: cell(i + 2) })),
          ],
        },
        cellTextDocuments: [
          ...cells.map((text, i) => ({ uri: cell(i + 1), languageId: 'python', version: 1, text })),
          { uri: markdownCell, languageId: 'markdown', version: 1, text: '## Load the data\n' },
        ],
      });
      // The path is defined in cell 1 and only reaches I/O in the next code cell (VS Code's cell 3).
      const first = await client.waitFor(cell(1), (d) => d.length === 1);
      assert.equal(first[0].code, 'MLH201');
      assert.equal(textAt(cells[0], first[0].range), '"/content/drive/MyDrive/churn"');
      assert.match(String(first[0].message), /cell 3, line 2/);
      assert.deepEqual(await client.waitFor(cell(2), () => true), []);
      assert.deepEqual(await client.waitFor(cell(3), () => true), []);
      const fourth = await client.waitFor(cell(4), (d) => d.length === 1);
      assert.deepEqual(
        [fourth[0].code, textAt(cells[3], fourth[0].range)],
        ['MLH301', 'torch.load'],
      );
    });

    it('updates the cells on a cell text change, and code actions edit the right cell', async () => {
      await client.connection.sendNotification('notebookDocument/didChange', {
        notebookDocument: { uri: nbUri(), version: 2 },
        change: {
          cells: {
            textContent: [
              {
                document: { uri: cell(4), version: 2 },
                changes: [
                  {
                    range: { start: { line: 0, character: 25 }, end: { line: 0, character: 25 } },
                    text: ', weights_only=True',
                  },
                ],
              },
              {
                document: { uri: cell(3), version: 2 },
                changes: [
                  {
                    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
                    text: 'try:\n    clean.to_csv("out.csv")\nexcept Exception:\n    pass\n',
                  },
                ],
              },
            ],
          },
        },
      });
      await client.waitFor(cell(4), (d) => d.length === 0);
      const third = await client.waitFor(cell(3), (d) => d.length === 1);
      assert.equal(third[0].code, 'MLH102');
      const [fix] = await codeActions(cell(3), third);
      // The handler is in cell 3; the logger setup goes after the imports in cell 1.
      const cell3 =
        'clean = frame.dropna()\ntry:\n    clean.to_csv("out.csv")\nexcept Exception:\n    pass\n';
      assert.equal(
        applyTextEdits(cell3, editsFor(fix.edit, cell(3))),
        'clean = frame.dropna()\ntry:\n    clean.to_csv("out.csv")\nexcept Exception:\n    logger.exception("Error ignored here")\n    pass\n',
      );
      assert.equal(
        applyTextEdits(cells[0], editsFor(fix.edit, cell(1))),
        'import pandas as pd\nimport torch\nimport logging\nlogger = logging.getLogger(__name__)\nDATA_DIR = "/content/drive/MyDrive/churn"\n',
      );
    });

    it('clears every cell when the notebook closes', async () => {
      await client.connection.sendNotification('notebookDocument/didClose', {
        notebookDocument: { uri: nbUri() },
        cellTextDocuments: [...cells.map((_, i) => ({ uri: cell(i + 1) })), { uri: markdownCell }],
      });
      await client.waitFor(cell(1), (d) => d.length === 0);
      await client.waitFor(cell(3), (d) => d.length === 0);
    });
  });
});
