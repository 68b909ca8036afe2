import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, type CodeAction } from 'vscode-languageserver-protocol/node';
import { ensureEngine, lint } from '../../server/src/engine/lint';
import { notebookSource, pythonSource } from '../../server/src/engine/source';
import { fixAll } from '../../server/src/fixes/fixAll';
import { countSyntaxErrors } from '../../server/src/parsing/runtime';
import { TestLspClient } from '../harness/lspClient';
import { allRulesSettings, checkFile } from './oracles';

/**
 * Inputs the fuzzer found failing (`npm run fuzz`), minimised, with the seed and iteration that
 * produced them. Each must now pass every engine oracle: no exception or internal error, ranges
 * inside the text, fixes that keep the code parsing and a fix-all that reaches a fixpoint.
 */
function notebook(...cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: source.match(/[^\n]*\n|[^\n]+$/g) ?? [],
    })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}

const FOUND: { name: string; found: string; text: string }[] = [
  {
    // Fix-all judged the joined module, whose error count a broken cell makes move with any edit
    // elsewhere, and dropped every fix; the logger setup also went above the cell magic.
    name: 'magic-and-broken-cell.ipynb',
    found: 'seed 4, iteration 108',
    text: notebook(
      '%%time\nnote = "😀 é"; state = torch.load("s.pt")\n',
      'def pass(:\n    broken\n',
      'frame.describe?\nfiles = !ls\ntry:\r\n    x = 1\r\nexcept:\r\n    pass\r\n',
    ),
  },
  {
    // MLH302 inserted its column check after an error region, where it was not seen: ten times.
    name: 'read-in-error-region.py',
    found: 'seed 4, iteration 248',
    text: 'import pandas as pd\ndf=pd.read_csv()\ndf["]as:\n n',
  },
  {
    // MLH103 appended its logging line after a loop that does not parse: ten times.
    name: 'loop-in-error-region.py',
    found: 'seed 5, iteration 603',
    text: 'def t(:\n for h in range(e:\n  for in r:\n   :\n    s).backward()',
  },
  {
    // MLH401 versioned a "string" that tree-sitter recovered from an error: `f` prefixes and
    // doubled braces piled up on every fix-all round. Fixes inside a broken statement are dropped.
    name: 'save-in-error-region.py',
    found: 'seed 23, iteration 857',
    text: 'import torch torch.save(()."model.pt")',
  },
  {
    // MLH502 seeded through `tf` although a loop target rebinds it: never recognised, ever added.
    name: 'rebound-module-name.py',
    found: 'seed 23, iteration 4196',
    text: 'import tensorflow as tf\nfor p,(tf)in():r.apply_gradients(())',
  },
];

describe('fuzz regressions: engine', () => {
  before(() => ensureEngine());

  for (const { name, found, text } of FOUND) {
    it(`${name} (${found}) keeps every invariant`, () => {
      const check = checkFile(`/fuzz/${name}`, text, allRulesSettings());
      assert.deepEqual(check.problems, []);
    });
  }

  it('reports in a broken statement but offers its fix only where the code parses', () => {
    const text = 'import torch\n\ntorch.save(model, "a.pt")\ntorch.save(model, "b.pt") +\n';
    const result = lint(pythonSource('/fuzz/two-saves.py', text), allRulesSettings());
    const saves = result.findings.filter((f) => f.code === 'MLH401');
    assert.deepEqual(
      saves.map((f) => [text.slice(f.start, f.end), f.fixes.length > 0]),
      [
        ['"a.pt"', true],
        ['"b.pt"', false],
      ],
    );
  });

  it('counts a missing hidden line break as a syntax error (seed 1, iteration 123)', () => {
    // Two statements on one line parse with an invisible MISSING newline; counted as none, the
    // MLH601 fix (`os.environ["APIKEY"]B=""`) looked like it broke code that parsed.
    assert.equal(countSyntaxErrors('APIKEY="90e1f235"B=""'), 1);
    assert.equal(countSyntaxErrors('APIKEY = "90e1f235"\nB = ""\n'), 0);
    const check = checkFile('/fuzz/secret.py', 'APIKEY="90e1f235"B=""', allRulesSettings());
    assert.deepEqual(check.problems, []);
  });

  it('fix-all fixes a notebook cell while another cell does not parse', () => {
    const file = notebookSource('/fuzz/nb.ipynb', [
      { kind: 'code', source: '%%time\nwarm_up()\n' },
      { kind: 'code', source: 'def broken(:\n    pass\n' },
      { kind: 'code', source: 'try:\n    run()\nexcept:\n    pass\n' },
    ]);
    const fixed = fixAll(file, allRulesSettings());
    assert.deepEqual(
      fixed.file.notebook!.cells.map((c) => c.source),
      [
        '%%time\nimport logging\nlogger = logging.getLogger(__name__)\nwarm_up()\n',
        'def broken(:\n    pass\n',
        'try:\n    run()\nexcept:\n    logger.exception("Error ignored here")\n    pass\n',
      ],
    );
  });

  it('fix-all applies fixes one at a time when together they would collide (fix-safety run)', () => {
    // Both `suppress` blocks get their `except` at the same offset: combined, the code breaks.
    const file = pythonSource(
      '/fuzz/nested.py',
      'from contextlib import suppress\n\ndef f():\n    with suppress(Exception):\n        a()\n' +
        '        with suppress(Exception):\n            b()\n',
    );
    const fixed = fixAll(file, allRulesSettings(), { unsafe: true });
    assert.equal(fixed.applied, 2);
    assert.equal(countSyntaxErrors(fixed.file.text), 0);
    assert.deepEqual(
      fixed.result.findings.filter((f) => f.code === 'MLH102'),
      [],
    );
    assert.match(
      fixed.file.text,
      /def f\(\):\n    try:\n        a\(\)\n        try:\n            b\(\)\n        except Exception:\n            logger\.exception\("Error ignored in f\(\)"\)\n    except Exception:\n        logger\.exception\("Error ignored in f\(\)"\)\n$/,
    );
  });
});

describe('fuzz regressions: language server', () => {
  let client: TestLspClient;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlh-fuzzreg-'));
    client = await TestLspClient.start(pathToFileURL(dir).href);
  });

  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers no suppression past the end of a document that shrank (seed 5, iteration 139)', async () => {
    const uri = pathToFileURL(join(dir, 'shrunk.py')).href;
    const text = 'import torch\n\n\nstate = torch.load("s.pt")\n';
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const stale = await client.waitFor(uri, (d) => d.some((x) => x.range.start.line === 3));
    // The whole text is replaced; the client still holds the diagnostics of version 1, as a
    // client racing the server does, and asks for code actions with them.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: 'x = 1\n' }],
    });
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: stale[0].range,
      context: { diagnostics: stale },
    })) as CodeAction[];
    const suppressions = actions.filter((a) => a.title.startsWith('Suppress'));
    assert.deepEqual(
      suppressions.map((a) => a.edit?.changes?.[uri]?.[0].range),
      [],
      'a suppression comment at a line the document no longer has',
    );
  });
});
