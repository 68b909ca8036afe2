import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { locateFinding } from '../../server/src/cli/output';
import { ensureEngine, lint } from '../../server/src/engine/lint';
import { resolveSettings } from '../../server/src/engine/selection';
import {
  parseIpynb,
  NotebookFormatError,
  replaceCellSources,
} from '../../server/src/parsing/ipynb';
import { buildVirtualModule, maskCell } from '../../server/src/parsing/notebook';
import { loadFile } from '../../server/src/workspace/files';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'notebooks');
// The fixture was written for the first four rules; later rules are tested in their own tables.
const defaults = () =>
  resolveSettings({ config: { select: ['MLH102', 'MLH201', 'MLH301', 'MLH401'] }, messages: [] });

describe('maskCell', () => {
  it('masks line magics, shell escapes and help with same-length placeholders', () => {
    const source =
      '%matplotlib inline\n!pip install -q torch\nx = 1\ndf.head?\n?len\nfiles = !ls -la\n';
    const masked = maskCell(source);
    assert.equal(masked.text.length, source.length);
    const bar = (text: string) => '_'.repeat(text.length);
    assert.deepEqual(masked.text.split('\n'), [
      bar('%matplotlib inline'),
      bar('!pip install -q torch'),
      'x = 1',
      bar('df.head?'),
      bar('?len'),
      `files = ${bar('!ls -la')}`,
      '',
    ]);
    assert.deepEqual(
      masked.magics.map((m) => [m.kind, m.text]),
      [
        ['line-magic', '%matplotlib inline'],
        ['shell', '!pip install -q torch'],
        ['help', 'df.head?'],
        ['help', '?len'],
        ['shell', '!ls -la'],
      ],
    );
  });

  it('keeps indentation so magics inside blocks still parse', () => {
    const masked = maskCell('for i in range(3):\n    !echo $i\n    %time f(i)\n');
    assert.equal(masked.text, 'for i in range(3):\n    ________\n    __________\n');
  });

  it('continues a magic over backslash line continuations', () => {
    const masked = maskCell('!pip install \\\n    torch\nx = 1\n');
    assert.equal(
      masked.text,
      `${'_'.repeat('!pip install \\'.length)}\n${'_'.repeat('    torch'.length)}\nx = 1\n`,
    );
  });

  it('leaves magic-looking lines inside triple-quoted strings alone', () => {
    const source = 'doc = """\n%not a magic\nwhat?\n"""\n';
    assert.equal(maskCell(source).text, source);
  });

  it('never masks a line that continues a bracket or a backslash, even when it starts with % or !=', () => {
    const source =
      'msg = ("epoch %d loss %.4f"\n       % (epoch, loss))\nif (mode\n        != "eval"):\n    pass\ny = a \\\n  % b\ns = "(" \n%ls\n';
    const masked = maskCell(source);
    assert.deepEqual(
      masked.magics.map((m) => m.text),
      ['%ls'],
    );
    assert.equal(masked.text, source.replace('%ls', '___'));
  });

  it('does not mistake != or %= for magics', () => {
    const source = 'ok = a != b\nx %= 3\n';
    assert.equal(maskCell(source).text, source);
  });

  it('keeps the Python body of %%time-style cell magics and skips other languages', () => {
    assert.equal(maskCell('%%time\ny = f(x)\n').text, '______\ny = f(x)\n');
    assert.equal(maskCell('%%capture out\nfit()\n').text, '_____________\nfit()\n');
    const bash = maskCell('%%bash\nrm -rf /home/x\n');
    assert.equal(bash.skipped, '%%bash cell');
    assert.equal(maskCell('%%writefile a.py\nprint(1)\n').skipped, '%%writefile cell');
    assert.equal(maskCell('%%html\n<b>x</b>\n').skipped, '%%html cell');
  });
});

describe('VirtualModule cell map', () => {
  const cells = [
    { kind: 'markdown' as const, source: '# Title' },
    { kind: 'code' as const, source: 'import os\nx = "é😀"\n' },
    { kind: 'code' as const, source: '' },
    { kind: 'markdown' as const, source: 'text' },
    { kind: 'code' as const, source: 'try:\r\n    y = x\r\nexcept:\r\n    pass' },
  ];
  const module = buildVirtualModule(cells);

  it('numbers cells as VS Code shows them, markdown included', () => {
    assert.deepEqual(
      module.cells.map((c) => c.cellIndex),
      [1, 2, 4],
    );
    assert.equal(module.cellCount, 5);
  });

  it('maps every offset of every code cell to its cell position and back', () => {
    for (const cell of module.cells) {
      for (let offset = 0; offset <= cell.source.length; offset++) {
        // The point between \r and \n of a CRLF has no position of its own, in LSP as here.
        if (cell.source[offset - 1] === '\r' && cell.source[offset] === '\n') continue;
        const location = module.toCell(cell.start + offset);
        assert.ok(location, `offset ${offset} of cell ${cell.cellIndex}`);
        assert.equal(location.cellIndex, cell.cellIndex);
        assert.deepEqual(location.position, cell.lines.positionAt(offset));
        assert.equal(module.fromCell(location), cell.start + offset);
      }
    }
  });

  it('counts columns in UTF-16 code units after non-ASCII and emoji', () => {
    const offset = module.text.indexOf('"', module.text.indexOf('😀'));
    const location = module.toCell(offset)!;
    assert.equal(location.cellIndex, 2 - 1);
    assert.deepEqual(location.position, { line: 1, character: 8 });
  });

  it('understands CRLF line breaks inside a cell', () => {
    const offset = module.text.indexOf('pass');
    assert.deepEqual(module.toCell(offset), { cellIndex: 4, position: { line: 3, character: 4 } });
  });
});

describe('notebook linting end to end (real .ipynb fixture)', () => {
  before(() => ensureEngine());

  it('reports findings in the right cell, line and column; skips %%bash and broken cells', () => {
    const loaded = loadFile(join(FIXTURES, 'mapping.ipynb'));
    const result = lint(loaded.source, defaults());
    const found = result.findings.map((f) => ({
      code: f.code,
      ...locateFinding(result, f),
      text: result.file.text.slice(f.start, f.end),
    }));
    assert.deepEqual(
      found.map(({ code, cell, line, column, text }) => ({ code, cell, line, column, text })),
      [
        // Defined in cell 2, used by read_csv in cell 5: reported on the literal, naming the sink's cell.
        { code: 'MLH201', cell: 2, line: 5, column: 12, text: '"/home/ana/data"' },
        // After an emoji and an accented letter on the same line: UTF-16 column.
        { code: 'MLH301', cell: 5, line: 3, column: 24, text: 'torch.load' },
        // A CRLF cell after a syntax-error cell is still linted.
        { code: 'MLH102', cell: 8, line: 5, column: 1, text: 'except' },
      ],
    );
    assert.match(result.findings[0].message, /cell 5, line 2/);
    // The %%bash cell mentions /home/ana/data too but is another language.
    assert.equal(result.file.notebook!.module.cellByIndex(5)!.skipped, '%%bash cell');
    assert.equal(result.file.notebook!.module.cellByIndex(6)!.skipped, 'syntax error');
  });

  it('keeps every other byte of the file when a cell source is replaced', () => {
    const raw = readFileSync(join(FIXTURES, 'mapping.ipynb'), 'utf8');
    const notebook = parseIpynb(raw);
    const written = replaceCellSources(notebook, new Map([[1, 'import os\nx = 2\n']]));
    const reparsed = JSON.parse(written) as { cells: { source: string[] }[] };
    assert.deepEqual(reparsed.cells[1].source, ['import os\n', 'x = 2\n']);
    const original = JSON.parse(raw) as { cells: unknown[] };
    for (const index of [0, 2, 3, 4, 5, 6, 7])
      assert.deepEqual(reparsed.cells[index], original.cells[index]);
    // Byte-identical outside the replaced value, including indentation and the final newline.
    const before = raw.indexOf('"source": [', raw.indexOf('%matplotlib') - 40);
    assert.equal(written.slice(0, before), raw.slice(0, before));
    const tailStart = raw.indexOf('"cell_type": "markdown"', before);
    assert.equal(written.slice(written.length - (raw.length - tailStart)), raw.slice(tailStart));
    assert.ok(written.endsWith('}\n'));
  });

  it('rejects files that are not nbformat 4 notebooks with a clear message', () => {
    assert.throws(
      () => parseIpynb('{"cells": ['),
      (e: unknown) => e instanceof NotebookFormatError && /invalid JSON at line 1/.test(e.message),
    );
    assert.throws(
      () => parseIpynb('{"nbformat": 3, "worksheets": []}'),
      /nbformat 3 is not supported/,
    );
    assert.throws(() => parseIpynb('{"nbformat": 4, "metadata": {}}'), /missing "cells"/);
    assert.throws(
      () => parseIpynb('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}'),
      /cell 1: "source" must be a string or a list of strings/,
    );
  });

  it('accepts source as one string as well as a list of lines', () => {
    const notebook = parseIpynb(
      '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, "source": "import pickle\\npickle.loads(b)"}]}',
    );
    assert.equal(notebook.cells[0].source, 'import pickle\npickle.loads(b)');
  });
});
