import { basename } from 'node:path';
import {
  buildVirtualModule,
  type NotebookCellInput,
  type VirtualModule,
} from '../parsing/notebook';
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

export function scopeOf(path: string): Scope {
  if (path.endsWith('.ipynb')) return 'notebook';
  const segments = path.split(/[\\/]/);
  if (
    TEST_FILE.test(basename(path)) ||
    segments.slice(0, -1).some((s) => s === 'tests' || s === 'test')
  ) {
    return 'test';
  }
  return 'script';
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

export function isLintablePath(path: string): boolean {
  return path.endsWith('.py') || path.endsWith('.ipynb');
}

/** "line 12", or "cell 4, line 2" in a notebook (cells numbered as VS Code shows them). */
export function describeLocation(file: SourceFile, offset: number): string {
  const module = file.notebook?.module;
  const cell = module?.toCell(offset);
  if (cell) return `cell ${cell.cellIndex + 1}, line ${cell.position.line + 1}`;
  return `line ${file.text.slice(0, offset).split(/\r\n|\r|\n/).length}`;
}

/** The text users wrote: a notebook's cells as they are, magics included (not the masked module). */
export function originalText(file: SourceFile): string {
  return file.notebook ? file.notebook.cells.map((c) => c.source).join('\n') : file.text;
}

/** The original text of a range of the linted text (for notebooks, read from the cell). */
export function originalSlice(file: SourceFile, start: number, end: number): string {
  const cell = file.notebook?.module.cellAt(start);
  if (!cell) return file.text.slice(start, end);
  return cell.source.slice(start - cell.start, end - cell.start);
}
