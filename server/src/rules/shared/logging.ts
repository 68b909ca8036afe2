import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../semantic/model';
import { field, unparenthesize } from '../../semantic/nodes';

/** Facts about logging and entry points shared by the logging rules (MLH101, MLH104). */

function isNameDunder(node: Node | null): boolean {
  return (
    !!node && unparenthesize(node).type === 'identifier' && unparenthesize(node).text === '__name__'
  );
}

function isMainString(semantic: SemanticModel, node: Node | null): boolean {
  return (
    !!node && unparenthesize(node).type === 'string' && semantic.stringLiteral(node) === '__main__'
  );
}

/** Whether an `if` condition is `__name__ == "__main__"` (either way round). */
export function isMainCondition(semantic: SemanticModel, condition: Node | null): boolean {
  const test = condition ? unparenthesize(condition) : null;
  if (test?.type !== 'comparison_operator' || test.namedChildCount !== 2) return false;
  if (!test.children.some((c) => c?.type === '==')) return false;
  const [left, right] = [test.namedChild(0), test.namedChild(1)];
  return (
    (isNameDunder(left) && isMainString(semantic, right)) ||
    (isNameDunder(right) && isMainString(semantic, left))
  );
}

/** The module-level `if __name__ == "__main__":` statements of a file, in order. */
export function mainGuards(semantic: SemanticModel): Node[] {
  return semantic
    .nodes('if_statement')
    .filter(
      (node) =>
        node.parent?.type === 'module' && isMainCondition(semantic, field(node, 'condition')),
    );
}

const SELF_TEST_RUNNERS = new Set(['doctest.testmod', 'unittest.main', 'pytest.main']);

/** A main block that only runs the module's own tests (`doctest.testmod()`, `unittest.main()`). */
export function isSelfTestGuard(semantic: SemanticModel, guard: Node): boolean {
  const body = guardBody(guard);
  return !!body
    ?.descendantsOfType('call')
    .some((call) => SELF_TEST_RUNNERS.has(semantic.calleeName(call) ?? ''));
}

/** The body of an `if __name__ == "__main__":` statement. */
export function guardBody(guard: Node): Node | null {
  return field(guard, 'consequence');
}

/** What a logger name is bound to, which decides how a message is passed to it. */
export type LoggerKind = 'stdlib' | 'loguru' | 'structlog' | 'unknown';

/** The kind of the module-level logger `name` (as found by `existingLoggerName`). */
export function loggerKind(semantic: SemanticModel, name: string): LoggerKind {
  const bindings = semantic.bindingsOf(name, semantic.tree.rootNode);
  for (const binding of bindings) {
    if (binding.kind === 'import' && binding.qualifiedName?.startsWith('loguru.')) return 'loguru';
    if (binding.kind !== 'assign' || binding.value?.type !== 'call') continue;
    const callee = semantic.calleeName(binding.value) ?? '';
    if (callee === 'logging.getLogger') return 'stdlib';
    if (callee.startsWith('structlog.')) return 'structlog';
  }
  return 'unknown';
}

/** Whether an expression is a stdlib logger: `logging.getLogger(...)` or a name or attribute bound to one. */
export function isStdlibLogger(
  semantic: SemanticModel,
  receiver: Node | null,
  loggerAttributes: ReadonlySet<string>,
): boolean {
  if (!receiver) return false;
  const node = unparenthesize(receiver);
  if (node.type === 'call') return semantic.calleeName(node) === 'logging.getLogger';
  if (node.type === 'identifier') {
    return semantic
      .bindingsOf(node.text, node)
      .some(
        (b) =>
          b.kind === 'assign' &&
          b.value?.type === 'call' &&
          semantic.calleeName(b.value) === 'logging.getLogger',
      );
  }
  if (node.type === 'attribute') {
    if (semantic.qualifiedName(node) === 'logging.root') return true;
    const attribute = field(node, 'attribute')?.text;
    return !!attribute && loggerAttributes.has(attribute);
  }
  return false;
}

/** Attribute names assigned a stdlib logger anywhere: `self.log = logging.getLogger(...)` → `log`. */
export function loggerAttributeNames(semantic: SemanticModel): Set<string> {
  const names = new Set<string>();
  for (const assignment of semantic.nodes('assignment')) {
    const left = field(assignment, 'left');
    const right = field(assignment, 'right');
    if (left?.type !== 'attribute' || right?.type !== 'call') continue;
    if (semantic.calleeName(right) !== 'logging.getLogger') continue;
    const attribute = field(left, 'attribute')?.text;
    if (attribute) names.add(attribute);
  }
  return names;
}
