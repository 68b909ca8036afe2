import { basename, dirname, relative } from 'node:path';
import {
  buildVirtualModule,
  type NotebookCellInput,
  type VirtualModule,
} from '../parsing/notebook';
import { LineIndex, type Position } from '../parsing/positions';
import type { Scope } from '../rules/types';

/** What the engine lints: a script's text, or a notebook's code cells joined into one module. */
export interface SourceFile {
  /** File system path (or a URI path for unsaved documents); used for scope and config. */
  path: string;
  scope: Scope;
  /** The Python text that is parsed: the file, or the notebook's virtual module. */
  text: string;
  notebook?: {
    module: VirtualModule;
    cells: readonly NotebookCellInput[];
    /** Rule codes or names switched off by the notebook's metadata. */
    ignore: readonly string[];
  };
}

const TEST_FILE = /^(test_.*\.py|.*_test\.py|conftest\.py)$/;

/**
 * Script, notebook or test. Folders count only below the project root (the folder of the
 * configuration), so a checkout that happens to live under `/home/me/tests/` is not all tests;
 * without a root only the file's own folder is looked at.
 */
export function scopeOf(path: string, root?: string): Scope {
  if (path.endsWith('.ipynb')) return 'notebook';
  if (TEST_FILE.test(basename(path))) return 'test';
  const folders = root ? relative(root, dirname(path)).split(/[\\/]/) : [basename(dirname(path))];
  return folders.includes('tests') ? 'test' : 'script';
}

export function pythonSource(path: string, text: string): SourceFile {
  return { path, scope: scopeOf(path), text };
}

export function notebookSource(
  path: string,
  cells: readonly NotebookCellInput[],
  ignore: readonly string[] = [],
  hasSyntaxError?: (cellText: string) => boolean,
): SourceFile {
  const module = buildVirtualModule(cells, hasSyntaxError);
  return { path, scope: 'notebook', text: module.text, notebook: { module, cells, ignore } };
}

export interface Location {
  /** Zero-based index of the cell among all cells (notebooks only). */
  cellIndex?: number;
  position: Position;
}

/**
 * The one conversion from offsets of the linted text to what users see: a position in the file, or
 * a cell and a position in it. `lines` is the file's line index, built once by the caller.
 */
export function locate(file: SourceFile, lines: LineIndex, offset: number): Location {
  const cell = file.notebook?.module.toCell(offset);
  if (cell) return cell;
  return { position: lines.positionAt(offset) };
}

const lineIndexes = new WeakMap<SourceFile, LineIndex>();

/** "line 12", or "cell 4, line 2" in a notebook (cells numbered as VS Code shows them). */
export function describeLocation(file: SourceFile, offset: number): string {
  let lines = lineIndexes.get(file);
  if (!lines) lineIndexes.set(file, (lines = new LineIndex(file.notebook ? '' : file.text)));
  const at = locate(file, lines, offset);
  const line = `line ${at.position.line + 1}`;
  return at.cellIndex === undefined ? line : `cell ${at.cellIndex + 1}, ${line}`;
}

/**
 * What rule triggers are matched against: the text users wrote (a notebook's cells as they are,
 * magics included, not the masked module), and for a notebook read from disk also its cells'
 * stored outputs, where a leaked token is a finding too.
 */
export function triggerText(file: SourceFile): string {
  if (!file.notebook) return file.text;
  const parts = file.notebook.cells.map((c) => c.source);
  for (const cell of file.notebook.cells) if (cell.outputs) parts.push(cell.outputs);
  return parts.join('\n');
}

/** The original text of a range of the linted text (for notebooks, read from the cell). */
export function originalSlice(file: SourceFile, start: number, end: number): string {
  const cell = file.notebook?.module.cellAt(start);
  if (!cell) return file.text.slice(start, end);
  return cell.source.slice(start - cell.start, end - cell.start);
}
