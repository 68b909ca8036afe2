import { LineIndex, type Position } from './positions';

/**
 * A notebook is linted as one Python module: its code cells, masked, joined by a newline. IPython
 * syntax is masked with placeholders of the same length so every offset in a cell equals the offset
 * in the virtual module minus the cell's start; cells in another language are left out.
 */
export type CellKind = 'code' | 'markdown' | 'raw';

export interface NotebookCellInput {
  kind: CellKind;
  source: string;
  /** Cell metadata tags, such as `mlhygiene-ignore`. */
  tags?: readonly string[];
  /**
   * The text of the cell's stored outputs (streams, text/plain results, error tracebacks), when the
   * notebook file was read from disk; editors do not sync outputs, so this is absent there.
   */
  outputs?: string;
}

export interface CellSpan {
  /** Zero-based position among all cells, markdown included; VS Code shows it plus one. */
  cellIndex: number;
  /** Offset of the cell's first character in the virtual module. */
  start: number;
  /** The cell's original source. */
  source: string;
  lines: LineIndex;
  /** Why the cell is not part of the program (a non-Python cell magic, a syntax error). */
  skipped?: string;
  tags: readonly string[];
}

export type MagicKind = 'line-magic' | 'shell' | 'help' | 'cell-magic';

export interface MaskedMagic {
  kind: MagicKind;
  /** Virtual-module offsets of the masked text. */
  start: number;
  end: number;
  /** The original IPython text that was masked. */
  text: string;
}

export interface CellLocation {
  cellIndex: number;
  position: Position;
}

/** Cell magics whose body is Python; every other cell magic holds another language. */
const PYTHON_BODY_CELL_MAGICS = new Set([
  'time',
  'timeit',
  'capture',
  'prun',
  'debug',
  'memit',
  'mprun',
  'python',
  'python3',
  'ipython',
  'autoreload',
]);

const HELP_LINE = /^\s*(?:\?{1,2}[\w.]+(?:\(\))?|[\w.]+(?:\(\))?\?{1,2})\s*$/;
const ASSIGNED_MAGIC = /^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)([!%].*)$/;

function placeholder(text: string): string {
  // Same length, a valid expression statement, and no line break is added or removed.
  return text.replace(/[^\r\n]/g, '_');
}

/** Where a line of Python leaves off: inside a triple-quoted string, inside brackets, continued. */
interface LineState {
  /** The open triple quote, when the next line starts inside a string. */
  tripleQuote?: string;
  /** Open brackets: the next line continues the same logical line. */
  depth: number;
  /** The line ended with a backslash. */
  continued: boolean;
}

/**
 * Scans one physical line well enough to know whether the next one starts a new logical line:
 * strings (single- and triple-quoted), comments, brackets and backslash continuations.
 */
function scanLine(line: string, previous: LineState): LineState {
  let tripleQuote = previous.tripleQuote;
  let depth = previous.depth;
  for (let i = 0; i < line.length; i++) {
    if (tripleQuote) {
      if (line.startsWith(tripleQuote, i)) {
        tripleQuote = undefined;
        i += 2;
      } else if (line[i] === '\\') i++;
      continue;
    }
    const ch = line[i];
    if (ch === '#') break;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      tripleQuote = line.slice(i, i + 3);
      i += 2;
    } else if (ch === '"' || ch === "'") {
      for (i++; i < line.length && line[i] !== ch; i++) if (line[i] === '\\') i++;
    } else if ('([{'.includes(ch)) {
      depth++;
    } else if (')]}'.includes(ch)) {
      depth = Math.max(0, depth - 1);
    }
  }
  return { tripleQuote, depth, continued: !tripleQuote && line.endsWith('\\') };
}

interface MaskResult {
  text: string;
  magics: { kind: MagicKind; start: number; end: number; text: string }[];
  skipped?: string;
}

/** The IPython syntax a logical line starts with, and where the masked part begins. */
function magicAt(text: string): { kind: MagicKind; from: number } | undefined {
  const indent = text.length - text.trimStart().length;
  const body = text.slice(indent);
  if (body.startsWith('!=')) return undefined;
  if (body.startsWith('%')) return { kind: 'line-magic', from: indent };
  if (body.startsWith('!')) return { kind: 'shell', from: indent };
  if (HELP_LINE.test(text)) return { kind: 'help', from: indent };
  const assigned = ASSIGNED_MAGIC.exec(text);
  if (!assigned) return undefined;
  return { kind: assigned[2].startsWith('!') ? 'shell' : 'line-magic', from: assigned[1].length };
}

/** Masks IPython syntax in one cell; offsets in the result are cell-relative. */
export function maskCell(source: string): MaskResult {
  const lines = new LineIndex(source);
  const magics: MaskResult['magics'] = [];
  let out = '';
  let cursor = 0;
  const mask = (start: number, end: number, kind: MagicKind) => {
    out += source.slice(cursor, start) + placeholder(source.slice(start, end));
    magics.push({ kind, start, end, text: source.slice(start, end) });
    cursor = end;
  };

  const first = lines.lineText(0);
  const cellMagic = /^%%([\w.]+)/.exec(first.trimStart());
  if (cellMagic) {
    if (!PYTHON_BODY_CELL_MAGICS.has(cellMagic[1])) {
      return { text: placeholder(source), magics: [], skipped: `%%${cellMagic[1]} cell` };
    }
    mask(lines.lineStart(0), lines.lineEnd(0), 'cell-magic');
  }

  let state: LineState = { depth: 0, continued: false };
  let magicContinues: MagicKind | undefined;
  for (let line = cellMagic ? 1 : 0; line < lines.lineCount; line++) {
    const start = lines.lineStart(line);
    const end = lines.lineEnd(line);
    const text = source.slice(start, end);
    if (magicContinues) {
      mask(start, end, magicContinues);
      if (!text.endsWith('\\')) magicContinues = undefined;
      continue;
    }
    // Only the start of a logical line can be IPython syntax: not a string, bracket or `\` continuation.
    const startsLogicalLine = !state.tripleQuote && state.depth === 0 && !state.continued;
    const kind = startsLogicalLine ? magicAt(text) : undefined;
    if (kind) {
      mask(start + kind.from, end, kind.kind);
      if (kind.kind !== 'help' && text.endsWith('\\')) magicContinues = kind.kind;
      continue;
    }
    state = scanLine(text, state);
  }
  out += source.slice(cursor);
  return { text: out, magics };
}

export class VirtualModule {
  constructor(
    readonly text: string,
    readonly cells: CellSpan[],
    readonly magics: MaskedMagic[],
    /** Number of cells in the notebook, markdown included. */
    readonly cellCount: number,
  ) {}

  /** The code cell holding a virtual offset; an offset on a separator belongs to the cell before. */
  cellAt(offset: number): CellSpan | undefined {
    let found: CellSpan | undefined;
    for (const cell of this.cells) {
      if (cell.skipped) continue;
      if (cell.start > offset) break;
      found = cell;
    }
    if (found && offset > found.start + found.source.length) return undefined;
    return found;
  }

  toCell(offset: number): CellLocation | undefined {
    const cell = this.cellAt(offset);
    if (!cell) return undefined;
    return { cellIndex: cell.cellIndex, position: cell.lines.positionAt(offset - cell.start) };
  }

  fromCell(location: CellLocation): number | undefined {
    const cell = this.cells.find((c) => c.cellIndex === location.cellIndex);
    if (!cell || cell.skipped) return undefined;
    return cell.start + cell.lines.offsetAt(location.position);
  }

  cellByIndex(cellIndex: number): CellSpan | undefined {
    return this.cells.find((c) => c.cellIndex === cellIndex);
  }
}

/**
 * Joins the code cells into one module. `hasSyntaxError` reports whether a cell parsed on its own
 * has errors; such a cell is left out (blanked) so that it cannot swallow the cells after it.
 */
export function buildVirtualModule(
  cells: readonly NotebookCellInput[],
  hasSyntaxError?: (cellText: string) => boolean,
): VirtualModule {
  let text = '';
  const spans: CellSpan[] = [];
  const magics: MaskedMagic[] = [];
  cells.forEach((cell, cellIndex) => {
    if (cell.kind !== 'code') return;
    const masked = maskCell(cell.source);
    let skipped = masked.skipped;
    if (!skipped && hasSyntaxError?.(masked.text)) skipped = 'syntax error';
    const start = text.length;
    const span: CellSpan = {
      cellIndex,
      start,
      source: cell.source,
      lines: new LineIndex(cell.source),
      tags: cell.tags ?? [],
    };
    if (skipped) span.skipped = skipped;
    spans.push(span);
    // A left-out cell keeps its length and line breaks so later offsets do not move.
    text += skipped ? cell.source.replace(/[^\r\n]/g, ' ') : masked.text;
    if (!skipped) {
      for (const magic of masked.magics) {
        magics.push({ ...magic, start: start + magic.start, end: start + magic.end });
      }
    }
    text += '\n';
  });
  return new VirtualModule(text, spans, magics, cells.length);
}
