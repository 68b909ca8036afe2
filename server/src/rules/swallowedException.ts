import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  blockEnd,
  indentUnit,
  indentationAt,
  insertAt,
  lineBreak,
  loggerSetup,
} from '../fixes/edits';
import { ancestor, callArguments, field, unparenthesize } from '../semantic/nodes';
import { defineRule, py, type Fix, type RuleContext } from './types';

const BROAD = new Set(['builtins.Exception', 'builtins.BaseException']);
const OPTIONAL_IMPORT_ERRORS = new Set(['ImportError', 'ModuleNotFoundError']);
/** Exceptions that end an iteration or a run on purpose; passing on them is control flow. */
const CONTROL_FLOW = new Set([
  'StopIteration',
  'StopAsyncIteration',
  'GeneratorExit',
  'KeyboardInterrupt',
]);
const LOG_METHODS = new Set([
  'debug',
  'info',
  'warning',
  'warn',
  'error',
  'exception',
  'critical',
  'fatal',
  'log',
]);
const REPORTING_CALLS = new Set([
  'warnings.warn',
  'traceback.print_exc',
  'traceback.print_exception',
  'traceback.format_exc',
  'sys.exit',
  'builtins.print',
]);
const CONSTANT_TYPES = new Set([
  'none',
  'true',
  'false',
  'integer',
  'float',
  'string',
  'unary_operator',
]);

/** The expression after `except` (without `as name`), or null for a bare `except:`. */
function caughtExpression(clause: Node): Node | null {
  const value = clause.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment');
  if (!value) return null;
  return value.type === 'as_pattern' ? value.namedChild(0)! : value;
}

/**
 * The exception classes an `except` clause names, through a name bound once to a tuple
 * (`ERRORS = (ValueError, Exception)`); empty for a bare `except:`.
 */
function caughtTypes(context: RuleContext, caught: Node | null): Node[] {
  if (!caught) return [];
  let inner = unparenthesize(caught);
  if (inner.type === 'identifier') {
    const value = context.semantic.followName(inner);
    if (value.type === 'tuple') inner = value;
  }
  return inner.type === 'tuple' ? inner.namedChildren.filter((c): c is Node => !!c) : [inner];
}

function boundName(clause: Node): string | undefined {
  const value = clause.namedChildren.find((c) => c?.type === 'as_pattern');
  return value ? field(value, 'alias')?.text : undefined;
}

function exceptionName(context: RuleContext, node: Node): string {
  const qualified = context.semantic.qualifiedName(node);
  if (qualified) return qualified;
  // An unimported, unbound name such as `Exception` is a builtin.
  return node.type === 'identifier' && context.semantic.bindingsOf(node.text, node).length === 0
    ? `builtins.${node.text}`
    : node.text;
}

function isConstant(node: Node | null): boolean {
  if (!node) return true;
  const value = unparenthesize(node);
  if (value.type === 'string') return !value.namedChildren.some((c) => c?.type === 'interpolation');
  if (['list', 'dictionary', 'tuple', 'set'].includes(value.type))
    return value.namedChildCount === 0;
  return (
    CONSTANT_TYPES.has(value.type) &&
    (value.type !== 'unary_operator' || /^-?\s*[\d.]+$/.test(value.text))
  );
}

/** A statement that drops the error on the floor: pass, `...`, continue, return constant, flag = constant. */
function isSwallowingStatement(statement: Node): boolean {
  switch (statement.type) {
    case 'pass_statement':
    case 'continue_statement':
    case 'break_statement':
    case 'comment':
      return true;
    case 'return_statement':
      return isConstant(statement.namedChild(0));
    case 'expression_statement': {
      const inner = statement.namedChild(0);
      if (!inner) return false;
      if (inner.type === 'ellipsis') return true;
      if (inner.type === 'string') return true;
      if (inner.type === 'assignment') {
        const left = field(inner, 'left');
        return (
          !!left &&
          ['identifier', 'attribute', 'subscript'].includes(left.type) &&
          isConstant(field(inner, 'right'))
        );
      }
      return false;
    }
    default:
      return false;
  }
}

function isOnlyPassLike(statement: Node): boolean {
  if (
    statement.type === 'pass_statement' ||
    statement.type === 'continue_statement' ||
    statement.type === 'comment'
  )
    return true;
  return statement.type === 'expression_statement' && statement.namedChild(0)?.type === 'ellipsis';
}

function bodyStatements(block: Node): Node[] {
  return block.namedChildren.filter((c): c is Node => !!c);
}

/** `HAS_WANDB = True`: a module flag recording that an optional import worked. */
function isConstantFlag(statement: Node): boolean {
  const inner = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
  return (
    inner?.type === 'assignment' &&
    field(inner, 'left')?.type === 'identifier' &&
    !!field(inner, 'right') &&
    isConstant(field(inner, 'right'))
  );
}

/** A handler around imports only (and flags saying they worked): the optional-dependency idiom. */
function guardsImportsOnly(clause: Node): boolean {
  const tryStatement = clause.parent;
  const body = tryStatement ? field(tryStatement, 'body') : null;
  const statements = body ? bodyStatements(body) : [];
  return (
    statements.some((s) => s.type.startsWith('import')) &&
    statements.every(
      (s) => s.type.startsWith('import') || s.type === 'comment' || isConstantFlag(s),
    )
  );
}

/** The `contextlib.suppress(...)` call of a `with` statement that suppresses a broad class. */
function suppressesBroad(context: RuleContext, withStatement: Node): Node | undefined {
  // Only this statement's own items: a nested `with` is judged on its own.
  const clause = withStatement.namedChildren.find((c) => c?.type === 'with_clause');
  for (const item of clause?.namedChildren ?? []) {
    const value = item?.type === 'with_item' ? item.namedChild(0) : null;
    const call = value ? unparenthesize(value) : null;
    if (call?.type !== 'call' || context.semantic.calleeName(call) !== 'contextlib.suppress')
      continue;
    const broad = callArguments(call).positional.some((arg) =>
      BROAD.has(exceptionName(context, arg)),
    );
    if (broad) return call;
  }
  return undefined;
}

function functionLabel(node: Node): string {
  const fn = ancestor(node, ['function_definition']);
  const name = fn ? field(fn, 'name')?.text : undefined;
  return name ? `in ${name}()` : 'here';
}

function fixes(context: RuleContext, clause: Node, block: Node): Fix[] {
  const { name, setup } = loggerSetup(context);
  const text = context.file.text;
  const statements = bodyStatements(block);
  const first = statements.find((s) => s.type !== 'comment') ?? statements[0];
  if (!first) return [];
  const clauseIndent = indentationAt(text, clause.startIndex);
  const sameLine = block.startPosition.row === clause.startPosition.row;
  const bodyIndent = sameLine
    ? clauseIndent + indentUnit(context)
    : indentationAt(text, first.startIndex);
  const eol = lineBreak(context, clause.startIndex);
  // A one-line handler (`except X: pass`) is split so the body gets its own lines.
  const colonEnd = block.previousSibling?.endIndex ?? block.startIndex;
  const insertStatement = (statement: string) =>
    sameLine
      ? {
          start: colonEnd,
          end: block.startIndex,
          newText: `${eol}${bodyIndent}${statement}${eol}${bodyIndent}`,
        }
      : insertAt(first.startIndex, `${statement}${eol}${bodyIndent}`);
  const what = functionLabel(clause);
  const logFix: Fix = {
    title: `Log the exception with ${name}.exception()`,
    safety: 'safe',
    edits: [
      insertStatement(`${name}.exception("Error ignored ${what}")`),
      ...addSetupLines(context, setup),
    ],
  };
  // The body only swallowed the error, so re-raising replaces it whole.
  const raiseFix: Fix = {
    title: 'Re-raise the exception',
    safety: 'unsafe',
    edits: [{ start: block.startIndex, end: block.endIndex, newText: 'raise' }],
  };
  return [logFix, raiseFix];
}

/**
 * `with suppress(E): body` is `try: body` / `except E: pass`, so it can be rewritten into a handler
 * that logs, and re-raising is removing the `with`. Offered only for a lone `suppress(...)` item
 * whose classes are plain names (evaluated once, either way), in a synchronous `with`.
 */
function suppressFixes(context: RuleContext, statement: Node, suppress: Node): Fix[] {
  const clause = statement.namedChildren.find((c) => c?.type === 'with_clause');
  const block = field(statement, 'body');
  const colon = statement.children.find((c) => c?.type === ':');
  if (!clause || !block || !colon || statement.firstChild?.type === 'async') return [];
  if (clause.namedChildren.filter((c) => c?.type === 'with_item').length !== 1) return [];
  const item = clause.namedChildren.find((c) => c?.type === 'with_item');
  if (item?.namedChild(0)?.type === 'as_pattern') return [];
  const args = callArguments(suppress);
  if (args.star.length > 0 || args.keywords.size > 0 || args.doubleStar.length > 0) return [];
  if (!args.positional.every((a) => ['identifier', 'attribute'].includes(a.type))) return [];
  const text = context.file.text;
  const classes = args.positional.map((a) => a.text);
  const caught = classes.length === 1 ? classes[0] : `(${classes.join(', ')})`;
  const indent = indentationAt(text, statement.startIndex);
  const eol = lineBreak(context, statement.startIndex);
  const { name, setup } = loggerSetup(context);
  const end = blockEnd(block);
  const logFix: Fix = {
    title: `Replace contextlib.suppress with try/except that logs with ${name}.exception()`,
    safety: 'safe',
    edits: [
      { start: statement.startIndex, end: colon.startIndex, newText: 'try' },
      insertAt(
        end,
        `${eol}${indent}except ${caught}:${eol}${indent}${indentUnit(context)}` +
          `${name}.exception("Error ignored ${functionLabel(statement)}")`,
      ),
      ...addSetupLines(context, setup),
    ],
  };
  const body = dedentedBody(text, statement, block, end, eol);
  if (body === undefined) return [logFix];
  const raiseFix: Fix = {
    title: 'Remove contextlib.suppress and let errors propagate',
    safety: 'unsafe',
    edits: [{ start: statement.startIndex, end, newText: body }],
  };
  return [logFix, raiseFix];
}

/**
 * The body of a `with` one level less indented, starting at the statement's column; undefined when
 * that cannot be done line by line (a string spanning lines, a line indented less than the body).
 */
function dedentedBody(
  text: string,
  statement: Node,
  block: Node,
  end: number,
  eol: string,
): string | undefined {
  if (block.startPosition.row === statement.startPosition.row)
    return text.slice(block.startIndex, end);
  const spansLines = (n: Node | null) => !!n && n.startPosition.row !== n.endPosition.row;
  if (block.descendantsOfType('string').some(spansLines)) return undefined;
  const outer = indentationAt(text, statement.startIndex);
  const inner = indentationAt(text, block.startIndex);
  if (!inner.startsWith(outer) || inner.length === outer.length) return undefined;
  const lineStart = block.startIndex - inner.length;
  const lines = text.slice(lineStart, end).split(/\r?\n/);
  if (lines.some((line) => line.trim() && !line.startsWith(inner))) return undefined;
  const dedented = lines.map((line) => (line.trim() ? outer + line.slice(inner.length) : ''));
  return dedented.join(eol).slice(outer.length);
}

export const swallowedException = defineRule({
  code: 'MLH102',
  name: 'swallowed-exception',
  family: 'logging',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  fix: 'sometimes',
  triggers: ['except', 'suppress'],
  docs: {
    summary: 'A broad exception handler drops the error without logging or re-raising it.',
    why:
      'In production nobody watches stdout: an `except Exception: pass` turns a failed feature ' +
      'computation, a missing model file or a broken batch into silently wrong predictions. The job ' +
      'reports success, dashboards stay green, and the first sign of trouble is a business metric days later.',
    howToFix:
      'Log the exception with its traceback (`logger.exception(...)`) before falling back, or let it ' +
      'propagate (`raise`). Catch the narrowest exception type you can actually handle. A narrow ' +
      'handler that only passes is a hint, unless it explains itself in a comment, has an `else:` ' +
      'branch that runs when nothing failed, or catches control flow (`StopIteration`, ' +
      '`KeyboardInterrupt` ending a run early).',
    fixSafety:
      'Adding `logger.exception(...)` keeps control flow and is safe; it also adds `import logging` and ' +
      'a module logger once when the file has none. Re-raising changes control flow and is unsafe. ' +
      '`with contextlib.suppress(Exception):` is rewritten to the equivalent `try:` / `except Exception:` ' +
      'with the log call (safe), or the `with` is removed and its body dedented (unsafe). Neither is ' +
      'offered when the `with` has other items, binds `as`, or passes computed classes to `suppress` ' +
      '(evaluated at a different time by `except`), and the dedent is not offered when the body holds ' +
      'a string spanning lines.',
    examples: {
      invalid: [
        py`
          try:
              features = compute_features(batch)
          except Exception:
              pass
        `,
        py`
          for path in paths:
              try:
                  frames.append(load(path))
              except:
                  continue
        `,
        py`
          def score(model, x):
              try:
                  return model.predict(x)
              except (ValueError, BaseException) as error:
                  return None
        `,
        py`
          import contextlib

          with contextlib.suppress(Exception):
              upload_metrics(metrics)
        `,
      ],
      valid: [
        py`
          import logging

          logger = logging.getLogger(__name__)
          try:
              features = compute_features(batch)
          except Exception:
              logger.exception("feature computation failed")
              raise
        `,
        py`
          try:
              value = config["lr"]
          except KeyError:
              value = 1e-3
        `,
        py`
          try:
              import torch
          except ImportError:
              torch = None
        `,
        py`
          try:
              run()
          except Exception as error:
              errors.append(error)
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    const loggerNames = new Set(context.options.loggerNames);

    /** Whether a handler body re-raises, logs or reports the error. */
    const handles = (block: Node, alias: string | undefined): boolean => {
      for (const node of block.descendantsOfType(['raise_statement', 'call', 'identifier'])) {
        if (node.type === 'raise_statement') return true;
        if (node.type === 'identifier') {
          if (alias && node.text === alias) return true;
          continue;
        }
        const callee = semantic.calleeName(node);
        if (callee && (REPORTING_CALLS.has(callee) || callee.startsWith('logging.'))) return true;
        const fn = field(node, 'function');
        if (fn?.type === 'attribute') {
          const method = field(fn, 'attribute')?.text ?? '';
          const receiver = field(fn, 'object');
          const receiverName =
            receiver?.type === 'attribute' ? field(receiver, 'attribute')?.text : receiver?.text;
          if (
            LOG_METHODS.has(method) &&
            receiverName &&
            (loggerNames.has(receiverName) || /log/i.test(receiverName))
          ) {
            return true;
          }
        }
      }
      return false;
    };

    return {
      except_clause(clause) {
        const block = clause.namedChildren.find((c) => c?.type === 'block');
        // A handler without a body is a syntax error; nothing to judge.
        if (!block) return;
        const caught = caughtExpression(clause);
        const types = caughtTypes(context, caught);
        const reportEnd = (caught ?? clause.firstChild ?? clause).endIndex;
        // As written, so `except* Exception` (exception groups) reads as the user wrote it.
        const handlerText = context.file.text.slice(clause.startIndex, reportEnd);
        const names = types.map((t) => exceptionName(context, t));
        const broad = types.length === 0 || names.some((n) => BROAD.has(n));
        const statements = bodyStatements(block);
        if (broad) {
          // Only bodies made entirely of swallowing statements are reported.
          if (!statements.every(isSwallowingStatement)) return;
          // A fallback around optional imports (`except Exception: xm = None`) is the accepted idiom.
          if (guardsImportsOnly(clause)) return;
          // A body that mentions the exception or logs it handles it.
          if (handles(block, boundName(clause))) return;
          const what = caught ? `\`${handlerText}\`` : 'bare `except:`';
          context.report({
            start: clause.startIndex,
            end: reportEnd,
            message: `${what} swallows the error: log it with logger.exception() or re-raise`,
            fixes: fixes(context, clause, block),
          });
          return;
        }
        // Optional imports guarded by ImportError are the accepted idiom.
        if (
          names.some((n) => OPTIONAL_IMPORT_ERRORS.has(n.replace(/^builtins\./, ''))) &&
          guardsImportsOnly(clause)
        )
          return;
        // A narrow handler is only a hint, and only when it does nothing at all and says nothing
        // about why (a comment explaining the pass is a decision, not an accident).
        if (!statements.every(isOnlyPassLike) || clause.descendantsOfType('comment').length > 0)
          return;
        // Stopping an iteration or a run (Ctrl-C ends training early) is control flow.
        if (names.every((n) => CONTROL_FLOW.has(n.replace(/^builtins\./, '')))) return;
        // `try: ... except KeyError: pass else: ...` handles the error by taking the other branch.
        if (clause.parent?.namedChildren.some((c) => c?.type === 'else_clause')) return;
        context.report({
          start: clause.startIndex,
          end: reportEnd,
          message: `\`${handlerText}\` ignores the error silently; log it or handle it`,
          severity: 'hint',
          fixes: fixes(context, clause, block),
        });
      },
      with_statement(statement) {
        const suppress = suppressesBroad(context, statement);
        // Only `suppress(...)` with a broad exception class is reported.
        if (!suppress) return;
        context.report({
          node: suppress,
          message:
            '`contextlib.suppress` of a broad exception swallows every error in the block: catch and log it instead',
          fixes: suppressFixes(context, statement, suppress),
        });
      },
    };
  },
});
