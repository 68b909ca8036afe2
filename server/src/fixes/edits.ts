import type { Node } from 'web-tree-sitter';
import { field } from '../semantic/nodes';
import type { SemanticModel } from '../semantic/model';
import type { RuleContext, TextEdit } from '../rules/types';

/** Edit builders shared by rule fixes. All offsets are in the linted text. */

export function replaceNode(node: Node, newText: string): TextEdit {
  return { start: node.startIndex, end: node.endIndex, newText };
}

export function insertAt(offset: number, newText: string): TextEdit {
  return { start: offset, end: offset, newText };
}

/**
 * Per-lint memo: facts about the whole file (its indentation unit, where setup lines go, its
 * logger) are computed once per lint, not once per finding.
 */
function memo<T>(cache: WeakMap<SemanticModel, T>, context: RuleContext, compute: () => T): T {
  if (cache.has(context.semantic)) return cache.get(context.semantic)!;
  const value = compute();
  cache.set(context.semantic, value);
  return value;
}

const indentUnits = new WeakMap<SemanticModel, string>();
const insertionPoints = new WeakMap<SemanticModel, { offset: number; leadingNewline: boolean }>();
const loggerNames = new WeakMap<SemanticModel, string | undefined>();

/**
 * The line break to insert at `offset`, so new lines match a CRLF file: the file's, or in a
 * notebook the break used by the cell that holds the offset.
 */
export function lineBreak(context: RuleContext, offset?: number): string {
  const { notebook } = context.file;
  const text = notebook
    ? offset === undefined
      ? ''
      : (notebook.module.cellAt(offset)?.source ?? '')
    : context.file.text;
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Where a block's last statement ends, including a comment trailing it on the same line: the
 * place to insert a new last statement.
 */
export function blockEnd(block: Node): number {
  const statements = block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = statements[statements.length - 1];
  if (!last) return block.endIndex;
  const next = last.nextSibling;
  return next?.type === 'comment' && next.startPosition.row === last.endPosition.row
    ? next.endIndex
    : last.endIndex;
}

/** The leading whitespace of the line holding `offset`. */
export function indentationAt(text: string, offset: number): string {
  const lineStart =
    Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The file's indentation unit, read off its first indented block; four spaces by default. */
export function indentUnit(context: RuleContext): string {
  return memo(indentUnits, context, () => findIndentUnit(context));
}

function findIndentUnit(context: RuleContext): string {
  for (const block of context.semantic.nodes('block')) {
    const owner = block.parent;
    if (!owner || block.startPosition.row === owner.startPosition.row) continue;
    const inner = indentationAt(context.file.text, block.startIndex);
    const outer = indentationAt(context.file.text, owner.startIndex);
    if (inner.startsWith(outer) && inner.length > outer.length) return inner.slice(outer.length);
  }
  return '    ';
}

function isModuleLevelImport(node: Node): boolean {
  return node.parent?.type === 'module';
}

function isDocstring(node: Node): boolean {
  return node.type === 'expression_statement' && node.namedChild(0)?.type === 'string';
}

/**
 * Where module-level setup lines go: after the last top-level import (in a notebook, the last one
 * in the cell of the first import), else after the module docstring, else at the top.
 * Returns the offset and whether the new text must start with a line break.
 */
export function setupInsertionPoint(context: RuleContext): {
  offset: number;
  leadingNewline: boolean;
} {
  return memo(insertionPoints, context, () => findSetupInsertionPoint(context));
}

function findSetupInsertionPoint(context: RuleContext): {
  offset: number;
  leadingNewline: boolean;
} {
  const { semantic, file } = context;
  const text = file.text;
  const module = file.notebook?.module;
  const imports = [
    ...semantic.nodes('import_statement'),
    ...semantic.nodes('import_from_statement'),
  ]
    .filter(isModuleLevelImport)
    .sort((a, b) => a.startIndex - b.startIndex);
  if (imports.length > 0) {
    const firstCell = module?.cellAt(imports[0].startIndex);
    const sameCell = firstCell
      ? imports.filter((i) => module!.cellAt(i.startIndex) === firstCell)
      : imports;
    const last = sameCell[sameCell.length - 1];
    const lineEnd = lineEndAt(text, last.endIndex);
    return { offset: lineEnd, leadingNewline: true };
  }
  const root = semantic.tree.rootNode;
  const first = root.namedChildren.find((n) => n && n.type !== 'comment');
  if (first && isDocstring(first))
    return { offset: lineEndAt(text, first.endIndex), leadingNewline: true };
  const firstCell = module?.cells.find((c) => !c.skipped);
  if (!firstCell) return { offset: 0, leadingNewline: false };
  // A cell magic (`%%time`) must stay the first line of its cell: setup goes right below it.
  const cellMagic = module!.magics.find(
    (m) => m.kind === 'cell-magic' && m.start === firstCell.start,
  );
  if (cellMagic) return { offset: cellMagic.end, leadingNewline: true };
  return { offset: firstCell.start, leadingNewline: false };
}

function lineEndAt(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return end;
}

/** One edit that adds setup lines (imports, a logger) once, after the imports. */
export function addSetupLines(context: RuleContext, lines: string[]): TextEdit[] {
  if (lines.length === 0) return [];
  const point = setupInsertionPoint(context);
  const eol = lineBreak(context, point.offset);
  const body = lines.join(eol);
  return [insertAt(point.offset, point.leadingNewline ? `${eol}${body}` : `${body}${eol}`)];
}

/** Whether `import <module>` binds the plain module name at module level (not in a function). */
export function hasPlainImport(context: RuleContext, module: string): boolean {
  const { semantic } = context;
  return semantic.imports.some(
    (b) =>
      b.target.text === module && b.qualifiedName === module && semantic.scopeId(b.target) === -1,
  );
}

/** The module-level name of an existing logger (`x = logging.getLogger(...)`, loguru's `logger`). */
export function existingLoggerName(context: RuleContext): string | undefined {
  return memo(loggerNames, context, () => findLoggerName(context));
}

function findLoggerName(context: RuleContext): string | undefined {
  const { semantic } = context;
  for (const assignment of semantic.nodes('assignment')) {
    const value = field(assignment, 'right');
    const target = field(assignment, 'left');
    if (value?.type !== 'call' || target?.type !== 'identifier') continue;
    if (semantic.scopeId(target) !== -1) continue;
    const callee = semantic.calleeName(value);
    if (callee === 'logging.getLogger' || callee === 'structlog.get_logger') return target.text;
  }
  const loguru = semantic.imports.find((b) => b.qualifiedName === 'loguru.logger');
  return loguru?.target.text;
}

/** The logger to call and the setup lines needed to have it (none when it already exists). */
export function loggerSetup(context: RuleContext): { name: string; setup: string[] } {
  const existing = existingLoggerName(context);
  if (existing) return { name: existing, setup: [] };
  const setup: string[] = [];
  if (!hasPlainImport(context, 'logging')) setup.push('import logging');
  const taken = context.semantic.bindingsOf('logger', context.semantic.tree.rootNode).length > 0;
  const name = taken ? '_mlh_logger' : 'logger';
  setup.push(`${name} = logging.getLogger(__name__)`);
  return { name, setup };
}

/** `import <module>` when the module is not imported by its plain name yet. */
export function importLines(context: RuleContext, modules: string[]): string[] {
  return modules.filter((m) => !hasPlainImport(context, m)).map((m) => `import ${m}`);
}
