import {
  findNodeAtLocation,
  getNodeValue,
  parseTree,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import type { CellKind, NotebookCellInput } from './notebook';

/** A notebook file that cannot be read as nbformat 4; the message names what is wrong. */
export class NotebookFormatError extends Error {}

export interface IpynbNotebook {
  cells: NotebookCellInput[];
  /** `metadata.mlhygiene.ignore` of the notebook. */
  ignore: string[];
  /** The original file text, kept so that writes touch only changed cells. */
  raw: string;
  root: JsonNode;
}

function describeJsonError(raw: string, error: ParseError): string {
  const before = raw.slice(0, error.offset);
  const line = before.split('\n').length;
  const column = error.offset - before.lastIndexOf('\n');
  return `invalid JSON at line ${line}, column ${column}`;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function sourceText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((line) => typeof line === 'string'))
    return value.join('');
  if (value === undefined) return '';
  throw new NotebookFormatError(`${where}: "source" must be a string or a list of strings`);
}

/** Joins the textual parts of a code cell's outputs; binary payloads (images) are skipped. */
function outputText(outputs: unknown): string {
  if (!Array.isArray(outputs)) return '';
  const texts: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) texts.push(value.filter((v) => typeof v === 'string').join(''));
  };
  for (const output of outputs) {
    const entry = asObject(output);
    if (!entry) continue;
    add(entry.text);
    add(asObject(entry.data)?.['text/plain']);
    if (Array.isArray(entry.traceback)) add(entry.traceback.join('\n'));
  }
  return texts.join('\n');
}

export function parseIpynb(raw: string): IpynbNotebook {
  const errors: ParseError[] = [];
  const root = parseTree(raw, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !root) {
    throw new NotebookFormatError(errors[0] ? describeJsonError(raw, errors[0]) : 'empty file');
  }
  const notebook = asObject(getNodeValue(root));
  if (!notebook) throw new NotebookFormatError('the top level is not a JSON object');
  const major = notebook.nbformat;
  if (typeof major !== 'number') throw new NotebookFormatError('missing "nbformat"');
  if (major < 4) {
    throw new NotebookFormatError(`nbformat ${major} is not supported (nbformat 4 is required)`);
  }
  if (!Array.isArray(notebook.cells)) throw new NotebookFormatError('missing "cells" list');
  const cells = notebook.cells.map((value, index): NotebookCellInput => {
    const where = `cell ${index + 1}`;
    const cell = asObject(value);
    if (!cell) throw new NotebookFormatError(`${where} is not an object`);
    const type = cell.cell_type;
    const kind: CellKind = type === 'code' ? 'code' : type === 'markdown' ? 'markdown' : 'raw';
    const source = sourceText(cell.source, where);
    const tags = asObject(cell.metadata)?.tags;
    const outputs = outputText(cell.outputs);
    return {
      kind,
      source,
      tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
      ...(outputs ? { outputs } : {}),
    };
  });
  const ignore = asObject(asObject(notebook.metadata)?.mlhygiene)?.ignore;
  return {
    cells,
    ignore: Array.isArray(ignore) ? ignore.filter((t): t is string => typeof t === 'string') : [],
    raw,
    root,
  };
}

/** Splits a cell's text into nbformat's list form: every line keeps its line break. */
export function splitSourceLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The indentation used for the elements of a JSON array node, read off the original text. */
function elementIndent(raw: string, node: JsonNode): string | undefined {
  const first = node.children?.[0];
  if (!first) return undefined;
  const lineStart = raw.lastIndexOf('\n', first.offset) + 1;
  const indent = raw.slice(lineStart, first.offset);
  return /^[ \t]*$/.test(indent) ? indent : undefined;
}

function serializeSource(raw: string, node: JsonNode, text: string, asList: boolean): string {
  if (!asList) return JSON.stringify(text);
  const lines = splitSourceLines(text);
  if (lines.length === 0) return '[]';
  const indent = elementIndent(raw, node);
  if (indent === undefined) return JSON.stringify(lines);
  const lineStart = raw.lastIndexOf('\n', node.offset) + 1;
  const closingIndent = /^[ \t]*/.exec(raw.slice(lineStart))?.[0] ?? '';
  const eol = raw.includes('\r\n') ? '\r\n' : '\n';
  const body = lines.map((line) => indent + JSON.stringify(line)).join(',' + eol);
  return `[${eol}${body}${eol}${closingIndent}]`;
}

/**
 * Writes new sources for some cells back into the original JSON text. Only the `source` values of
 * those cells change; every other byte of the file, including untouched cells, stays as it was.
 */
export function replaceCellSources(notebook: IpynbNotebook, changes: Map<number, string>): string {
  const edits: { offset: number; length: number; text: string }[] = [];
  for (const [cellIndex, text] of changes) {
    const cell = notebook.cells[cellIndex];
    const node = findNodeAtLocation(notebook.root, ['cells', cellIndex, 'source']);
    if (!cell || !node) throw new NotebookFormatError(`cell ${cellIndex + 1} has no "source"`);
    edits.push({
      offset: node.offset,
      length: node.length,
      text: serializeSource(notebook.raw, node, text, node.type === 'array'),
    });
  }
  edits.sort((a, b) => b.offset - a.offset);
  let out = notebook.raw;
  for (const edit of edits) {
    out = out.slice(0, edit.offset) + edit.text + out.slice(edit.offset + edit.length);
  }
  return out;
}

/**
 * The 0-based line of the `.ipynb` file that holds a line of a cell's source: the list element of
 * that line (nbformat's usual layout), or the line of the whole `source` string.
 */
export function fileLineOfCellLine(
  notebook: IpynbNotebook,
  cellIndex: number,
  line: number,
): number {
  const node = findNodeAtLocation(notebook.root, ['cells', cellIndex, 'source']);
  if (!node) return 0;
  const element =
    node.type === 'array'
      ? node.children?.[Math.min(line, (node.children?.length ?? 1) - 1)]
      : node;
  const offset = element?.offset ?? node.offset;
  let count = 0;
  for (let i = 0; i < offset; i++) if (notebook.raw.charCodeAt(i) === 10) count++;
  return count;
}
