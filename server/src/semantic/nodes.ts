import type { Node, Tree } from 'web-tree-sitter';

/** Small, total helpers over tree-sitter-python nodes, shared by the semantic layer and rules. */

/**
 * Answers already read from a tree. Every step from one node to another crosses into WebAssembly
 * and builds a new node object (and `parent` searches down from the root), while the rules ask
 * about the same nodes again and again; a tree never changes once parsed, so the answers hold for
 * the tree's lifetime. Keyed by the tree object, so an incremental reparse starts afresh.
 */
interface TreeCache {
  fields: Map<string, Map<number, Node | null>>;
  parents: Map<number, Node | null>;
  callArguments: Map<number, CallArguments>;
}

const treeCaches = new WeakMap<Tree, TreeCache>();

function cacheOf(node: Node): TreeCache {
  let cache = treeCaches.get(node.tree);
  if (!cache) {
    cache = { fields: new Map(), parents: new Map(), callArguments: new Map() };
    treeCaches.set(node.tree, cache);
  }
  return cache;
}

export function field(node: Node | null | undefined, name: string): Node | null {
  if (!node) return null;
  const { fields } = cacheOf(node);
  let byNode = fields.get(name);
  if (!byNode) fields.set(name, (byNode = new Map()));
  let child = byNode.get(node.id);
  if (child === undefined) byNode.set(node.id, (child = node.childForFieldName(name)));
  return child;
}

/** The parent of a node, asked of the tree once per node. */
export function parentOf(node: Node): Node | null {
  const { parents } = cacheOf(node);
  let parent = parents.get(node.id);
  if (parent === undefined) parents.set(node.id, (parent = node.parent));
  return parent;
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

/** The arguments of a call, read once per tree; callers only read the answer, never change it. */
export function callArguments(call: Node): CallArguments {
  const byCall = cacheOf(call).callArguments;
  let args = byCall.get(call.id);
  if (!args) byCall.set(call.id, (args = readCallArguments(call)));
  return args;
}

function readCallArguments(call: Node): CallArguments {
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
  for (let current = parentOf(node); current; current = parentOf(current)) {
    if (types.includes(current.type)) return current;
  }
  return null;
}

export const SCOPE_TYPES = ['function_definition', 'lambda', 'class_definition'] as const;

/** The statement that contains a node, directly inside a block or the module. */
export function enclosingStatement(node: Node): Node {
  let current = node;
  for (let parent = parentOf(current); parent; parent = parentOf(current)) {
    const type = parent.type;
    if (type === 'block' || type === 'module') break;
    current = parent;
  }
  return current;
}

export function isConstantFalse(node: Node | null): boolean {
  if (!node) return false;
  const value = unparenthesize(node);
  return value.type === 'false' || (value.type === 'integer' && /^0+$/.test(value.text));
}
