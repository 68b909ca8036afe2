import type { Node } from 'web-tree-sitter';

/** Small, total helpers over tree-sitter-python nodes, shared by the semantic layer and rules. */

export function field(node: Node | null | undefined, name: string): Node | null {
  return node ? node.childForFieldName(name) : null;
}

/** Strips redundant parentheses: `((x))` → `x`. */
export function unparenthesize(node: Node): Node {
  let current = node;
  while (current.type === 'parenthesized_expression' && current.namedChildCount === 1) {
    current = current.namedChild(0)!;
  }
  return current;
}

export interface CallArguments {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `**kwargs` expressions passed to the call. */
  doubleStar: Node[];
  /** `*args` expressions passed to the call. */
  star: Node[];
  node: Node | null;
}

export function callArguments(call: Node): CallArguments {
  const args: CallArguments = {
    positional: [],
    keywords: new Map(),
    doubleStar: [],
    star: [],
    node: field(call, 'arguments'),
  };
  if (!args.node || args.node.type !== 'argument_list') return args;
  for (const child of args.node.namedChildren) {
    if (!child) continue;
    if (child.type === 'keyword_argument') {
      const name = field(child, 'name');
      const value = field(child, 'value');
      if (name && value) args.keywords.set(name.text, value);
    } else if (child.type === 'dictionary_splat') {
      if (child.namedChild(0)) args.doubleStar.push(child.namedChild(0)!);
    } else if (child.type === 'list_splat') {
      if (child.namedChild(0)) args.star.push(child.namedChild(0)!);
    } else if (child.type !== 'comment') {
      args.positional.push(child);
    }
  }
  return args;
}

/** The argument passed by position `index` or by keyword `name`, whichever the call uses. */
export function argument(args: CallArguments, index: number, name?: string): Node | undefined {
  if (name && args.keywords.has(name)) return args.keywords.get(name);
  return args.positional[index];
}

/** The nearest enclosing node of one of the given types. */
export function ancestor(node: Node, types: readonly string[]): Node | null {
  for (let current = node.parent; current; current = current.parent) {
    if (types.includes(current.type)) return current;
  }
  return null;
}

export const SCOPE_TYPES = ['function_definition', 'lambda', 'class_definition'] as const;

/** The statement that contains a node, directly inside a block or the module. */
export function enclosingStatement(node: Node): Node {
  let current = node;
  while (current.parent && current.parent.type !== 'block' && current.parent.type !== 'module') {
    current = current.parent;
  }
  return current;
}

export function isConstantFalse(node: Node | null): boolean {
  if (!node) return false;
  const value = unparenthesize(node);
  return value.type === 'false' || (value.type === 'integer' && /^0+$/.test(value.text));
}
