import type { Node } from 'web-tree-sitter';
import type { Binding, SemanticModel } from '../../semantic/model';
import { field, unparenthesize } from '../../semantic/nodes';

/**
 * Intra-procedural def-use helpers for rules that follow a value from where it is made to where it
 * is used (MLH302, MLH303). A name read at some point refers to the binding of that name, in the
 * same scope, that precedes the read most closely in the text: `df = df.dropna()` rebinds `df`,
 * and reads after it see the new value. Branches are not merged; loops are not iterated. That is
 * deliberately simple and predictable, and errs towards losing track of a value rather than
 * inventing a flow.
 */

/** Containers that only group binding targets: `a, (b, *c) = ...`. */
const TARGET_GROUPS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
]);

const PARAMETER_TYPES = new Set([
  'parameters',
  'lambda_parameters',
  'typed_parameter',
  'default_parameter',
  'typed_default_parameter',
  'list_splat_pattern',
  'dictionary_splat_pattern',
]);

const COMPREHENSIONS = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

/** The node a binding target hangs from once the grouping containers are climbed. */
function targetOwner(id: Node): { owner: Node | null; top: Node } {
  let top = id;
  while (top.parent && TARGET_GROUPS.has(top.parent.type)) top = top.parent;
  return { owner: top.parent, top };
}

/** Whether an identifier is bound (assigned, looped over, a parameter) rather than read. */
export function isBindingTarget(id: Node): boolean {
  const { owner, top } = targetOwner(id);
  if (!owner) return false;
  switch (owner.type) {
    case 'assignment':
    case 'for_statement':
    case 'for_in_clause':
      return field(owner, 'left')?.id === top.id;
    case 'named_expression':
      return field(owner, 'name')?.id === top.id;
    case 'as_pattern_target':
      return true;
    default:
      return false;
  }
}

/** Whether an identifier node reads a variable (not an attribute name, keyword, parameter, target). */
export function isReference(id: Node): boolean {
  if (id.type !== 'identifier') return false;
  const parent = id.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'attribute':
      return field(parent, 'attribute')?.id !== id.id;
    case 'keyword_argument':
      return field(parent, 'name')?.id !== id.id;
    case 'function_definition':
    case 'class_definition':
      return field(parent, 'name')?.id !== id.id;
    case 'typed_parameter':
      return parent.namedChild(0)?.id !== id.id;
    case 'default_parameter':
    case 'typed_default_parameter':
      return field(parent, 'name')?.id !== id.id;
    case 'dotted_name':
    case 'aliased_import':
    case 'import_statement':
    case 'import_from_statement':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'keyword_pattern':
      return false;
  }
  if (PARAMETER_TYPES.has(parent.type)) return false;
  return !isBindingTarget(id);
}

/** The offset from which a binding holds: after its whole assignment, at a loop's body, ... */
export function bindingPoint(target: Node): number {
  const { owner } = targetOwner(target);
  if (owner?.type === 'assignment') {
    let outer: Node = owner;
    while (outer.parent?.type === 'assignment') outer = outer.parent;
    return outer.endIndex;
  }
  if (owner?.type === 'for_statement') return field(owner, 'body')?.startIndex ?? owner.endIndex;
  for (let current = target.parent; current; current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda') {
      // Parameters hold from the start of the body.
      if (PARAMETER_TYPES.has(target.parent?.type ?? '')) return field(current, 'body')!.startIndex;
      break;
    }
    if (current.type === 'block' || current.type === 'module') break;
  }
  const statement = owner ?? target.parent ?? target;
  return statement.endIndex;
}

function innermostComprehension(node: Node): Node | null {
  for (let current = node.parent; current; current = current.parent) {
    if (COMPREHENSIONS.has(current.type)) return current;
    if (current.type === 'block' || current.type === 'module') return null;
  }
  return null;
}

/**
 * The binding a read refers to: the same-scope binding of its name closest before it; a
 * comprehension variable read inside its comprehension refers to the comprehension's own binding.
 */
export function reachingBinding(semantic: SemanticModel, use: Node): Binding | undefined {
  const scope = semantic.scopeId(use);
  const bindings = semantic
    .bindingsOf(use.text, use)
    .filter((b) => semantic.scopeId(b.target) === scope);
  let best: Binding | undefined;
  let bestPoint = -1;
  for (const binding of bindings) {
    const comprehension = innermostComprehension(binding.target);
    if (comprehension) {
      const inside =
        use.startIndex >= comprehension.startIndex && use.endIndex <= comprehension.endIndex;
      if (inside) return binding;
      continue;
    }
    const point = bindingPoint(binding.target);
    if (point <= use.startIndex && point > bestPoint) {
      best = binding;
      bestPoint = point;
    }
  }
  return best;
}

const referenceIndexes = new WeakMap<SemanticModel, Map<string, Node[]>>();

/** Every read of `name` in the scope `scope` (a `scopeId`), in text order. */
export function referencesOf(semantic: SemanticModel, scope: number, name: string): Node[] {
  let index = referenceIndexes.get(semantic);
  if (!index) {
    index = new Map();
    for (const id of semantic.nodes('identifier')) {
      if (!isReference(id)) continue;
      const key = `${semantic.scopeId(id)}:${id.text}`;
      const list = index.get(key);
      if (list) list.push(id);
      else index.set(key, [id]);
    }
    referenceIndexes.set(semantic, index);
  }
  return index.get(`${scope}:${name}`) ?? [];
}

/** The reads that see the value bound at `target` (an identifier being assigned). */
export function usesOfBinding(semantic: SemanticModel, target: Node): Node[] {
  const scope = semantic.scopeId(target);
  return referencesOf(semantic, scope, target.text).filter(
    (use) => reachingBinding(semantic, use)?.target.id === target.id,
  );
}

/** The literal strings of a string, or a list/tuple/set of strings, following names bound once. */
export function stringsOf(
  semantic: SemanticModel,
  node: Node | null | undefined,
): string[] | undefined {
  if (!node) return undefined;
  const value = semantic.followName(unparenthesize(node));
  if (value.type === 'string' || value.type === 'concatenated_string') {
    const text = semantic.stringLiteral(value);
    return text === undefined ? undefined : [text];
  }
  if (value.type === 'list' || value.type === 'tuple' || value.type === 'set') {
    const items: string[] = [];
    for (const item of value.namedChildren) {
      if (!item || item.type === 'comment') continue;
      const text = semantic.stringLiteral(item);
      if (text === undefined) return undefined;
      items.push(text);
    }
    return items.length > 0 ? items : undefined;
  }
  return undefined;
}

/** A Python string literal for `text` (double-quoted; JSON escapes are valid Python escapes). */
export function pythonString(text: string): string {
  return JSON.stringify(text);
}

/** A name not bound in the scope of `at`: the first free one of the candidates, else numbered. */
export function freeName(semantic: SemanticModel, at: Node, candidates: string[]): string {
  const free = (name: string) => semantic.bindingsOf(name, at).length === 0;
  const found = candidates.find(free);
  if (found) return found;
  for (let i = 2; ; i++) {
    const name = `${candidates[0]}_${i}`;
    if (free(name)) return name;
  }
}

/**
 * Whether a statement stands alone on its lines (nothing else before it on its first line, nothing
 * but a comment after it on its last), so that lines can be inserted after it. A statement that
 * does not parse (or an error region taken for one) has no reliable end to insert after.
 */
export function standaloneStatement(text: string, statement: Node): boolean {
  if (statement.hasError) return false;
  const lineStart = Math.max(
    text.lastIndexOf('\n', statement.startIndex - 1),
    text.lastIndexOf('\r', statement.startIndex - 1),
  );
  if (text.slice(lineStart + 1, statement.startIndex).trim() !== '') return false;
  const rest = text.slice(statement.endIndex, lineEnd(text, statement.endIndex)).trim();
  return rest === '' || rest.startsWith('#');
}

/** The offset of the end of the line holding `offset` (before its line break). */
export function lineEnd(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return end;
}
