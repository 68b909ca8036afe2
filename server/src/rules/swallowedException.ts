import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
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

/** The exception classes an `except` clause names; empty for a bare `except:`. */
function caughtTypes(caught: Node | null): Node[] {
  if (!caught) return [];
  const inner = unparenthesize(caught);
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

function suppressesBroad(context: RuleContext, withStatement: Node): Node | undefined {
  for (const item of withStatement.descendantsOfType('with_item')) {
    const value = item.namedChild(0);
    if (value?.type !== 'call' || context.semantic.calleeName(value) !== 'contextlib.suppress')
      continue;
    const broad = callArguments(value).positional.some((arg) =>
      BROAD.has(exceptionName(context, arg)),
    );
    if (broad) return value;
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
      'propagate (`raise`). Catch the narrowest exception type you can actually handle.',
    fixSafety:
      'Adding `logger.exception(...)` keeps control flow and is safe; it also adds `import logging` and ' +
      'a module logger once when the file has none. Re-raising changes control flow and is unsafe.',
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
        const types = caughtTypes(caught);
        const reportEnd = (caught ?? clause.firstChild ?? clause).endIndex;
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
          const what = caught ? `\`except ${caught.text}\`` : 'bare `except:`';
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
        context.report({
          start: clause.startIndex,
          end: reportEnd,
          message: `\`except ${caught!.text}\` ignores the error silently; log it or handle it`,
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
        });
      },
    };
  },
});
