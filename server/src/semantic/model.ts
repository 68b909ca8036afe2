import type { Node, Tree } from 'web-tree-sitter';
import {
  callArguments,
  field,
  isConstantFalse,
  parentOf,
  SCOPE_TYPES,
  unparenthesize,
} from './nodes';

/**
 * What the rules know about a module beyond its syntax: which imported thing each name means, and
 * the value of names that are bound once. Built in one iterative pass over the tree, which also
 * yields the live nodes (code under `if False:` / `if 0:` is dead and left out) for rule dispatch.
 */

export type BindingKind = 'assign' | 'import' | 'parameter' | 'definition' | 'other';

export interface Binding {
  kind: BindingKind;
  /** The identifier that is bound. */
  target: Node;
  /** For a plain `name = value` or `name: T = value`: the value. */
  value?: Node;
  /** For imports: the qualified name the local name stands for. */
  qualifiedName?: string;
}

export type PathPart = { kind: 'literal'; text: string; node: Node } | { kind: 'hole'; node: Node };

/** A string value followed through simple local values; unknown parts are holes. */
export interface ResolvedValue {
  parts: PathPart[];
  /** True when a `pathlib.Path` was built along the way. */
  isPath: boolean;
}

/** Modules that are better known by another name; the canonical name is what rules match. */
const MODULE_ALIASES: Record<string, string> = {
  'sklearn.externals.joblib': 'joblib',
  cPickle: 'pickle',
  _pickle: 'pickle',
  'tensorflow.keras': 'keras',
  tf_keras: 'keras',
};

const BUILTINS = new Set([
  'open',
  'print',
  'eval',
  'exec',
  'compile',
  'str',
  'int',
  'float',
  'input',
  '__import__',
]);

const MODULE_SCOPE = -1;

const SCOPE_TYPE_SET: ReadonlySet<string> = new Set(SCOPE_TYPES);

interface ScopeRange {
  id: number;
  start: number;
  end: number;
}

/**
 * Whether a scope comes before a node in pre-order: it starts earlier, or at the same offset as an
 * ancestor of the node (a node with the same range may be its ancestor or its wrapper).
 */
function precedes(scope: ScopeRange, node: Node): boolean {
  if (scope.start !== node.startIndex) return scope.start < node.startIndex;
  if (scope.id === node.id) return false;
  const end = node.endIndex;
  if (end !== scope.end) return end < scope.end;
  for (let current = parentOf(node); current; current = parentOf(current)) {
    if (current.id === scope.id) return true;
    if (current.startIndex !== scope.start || current.endIndex !== scope.end) return false;
  }
  return false;
}

/**
 * Node types the semantic layer needs, and the ones most rules visit. Each walk is a full traversal
 * of the tree inside WebAssembly, which costs more than asking the type of the few extra nodes it
 * brings out: only `identifier`, which nearly every node has below it and few rules ask for, is
 * left to a walk of its own.
 */
const EAGER_TYPES: ReadonlySet<string> = new Set([
  'module',
  'string',
  'concatenated_string',
  'subscript',
  'boolean_operator',
  'comparison_operator',
  'not_operator',
  'elif_clause',
  'import_statement',
  'import_from_statement',
  'assignment',
  'augmented_assignment',
  'for_statement',
  'for_in_clause',
  'as_pattern_target',
  'named_expression',
  'function_definition',
  'class_definition',
  'parameters',
  'lambda_parameters',
  'global_statement',
  'nonlocal_statement',
  'call',
  'comment',
  'except_clause',
  'with_statement',
  'while_statement',
  'if_statement',
  'try_statement',
  'block',
]);

function canonical(qualified: string): string {
  for (const [from, to] of Object.entries(MODULE_ALIASES)) {
    if (qualified === from || qualified.startsWith(from + '.')) {
      return to + qualified.slice(from.length);
    }
  }
  return qualified;
}

function decodeEscapes(text: string): string {
  return text.replace(/\\(["'\\nt])/g, (_m, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c,
  );
}

export class SemanticModel {
  /** Live nodes in pre-order, grouped by type, for rule dispatch. */
  readonly nodesByType = new Map<string, Node[]>();
  private readonly qualifiedNames = new Map<number, string | undefined>();
  private readonly callees = new Map<number, string | undefined>();
  private readonly methodNames = new Map<number, string | undefined>();
  /** The scope (function, lambda or class id; -1 for the module) of nodes met so far. */
  private readonly scopeOfNode = new Map<number, number>();
  /** The scope enclosing the node being visited, while the first walk runs. */
  private walkScope: number | undefined;
  /** Offsets of the bodies of `if False:` / `if 0:`, found by the first walk. */
  private deadRanges: [number, number][] | undefined;
  /** The live functions, lambdas and classes in pre-order, found by the first walk. */
  private readonly liveScopes: ScopeRange[] = [];
  readonly imports: Binding[] = [];
  private readonly scopes = new Map<number, Map<string, Binding[]>>();

  constructor(readonly tree: Tree) {
    this.walk(EAGER_TYPES, (node, type) => {
      this.record(node, type);
      this.visit(node, type);
    });
  }

  /**
   * Live nodes of one type, in document order. The common types are collected in the first walk;
   * any other type is collected by one more walk the first time a rule asks for it.
   */
  nodes(type: string): readonly Node[] {
    let list = this.nodesByType.get(type);
    if (!list && !EAGER_TYPES.has(type)) {
      list = this.collect(type);
      this.nodesByType.set(type, list);
    }
    return list ?? [];
  }

  private record(node: Node, type: string): void {
    let list = this.nodesByType.get(type);
    if (!list) this.nodesByType.set(type, (list = []));
    list.push(node);
  }

  /**
   * Finds the nodes of the wanted types in document order, leaving out dead code, and calls
   * `onNode` with the scope of each known. The search itself runs inside WebAssembly
   * (`descendantsOfType`), several times faster than a cursor driven from JavaScript; scopes are
   * tracked from the positions of the function, lambda and class nodes met on the way.
   */
  private walk(wanted: ReadonlySet<string>, onNode: (node: Node, type: string) => void): void {
    const root = this.tree.rootNode;
    const types = [...new Set([...wanted, 'if_statement', ...SCOPE_TYPES])];
    // The first walk finds the dead blocks; later walks only skip them.
    const discovering = this.deadRanges === undefined;
    const dead = this.deadRanges ?? (this.deadRanges = []);
    const scopes: Node[] = [];
    try {
      for (const node of root.descendantsOfType(types)) {
        // Each property read crosses into WebAssembly: the type and offsets are read once.
        const type = node.type;
        const start = node.startIndex;
        while (scopes.length && scopes[scopes.length - 1].endIndex <= start) scopes.pop();
        if (dead.length > 0 && dead.some(([from, to]) => start >= from && node.endIndex <= to)) {
          continue;
        }
        if (discovering && type === 'if_statement') {
          const consequence = field(node, 'consequence');
          if (consequence && this.isDeadBlock(consequence)) {
            dead.push([consequence.startIndex, consequence.endIndex]);
          }
        }
        this.walkScope = scopes.length ? scopes[scopes.length - 1].id : MODULE_SCOPE;
        if (wanted.has(type)) {
          this.scopeOfNode.set(node.id, this.walkScope);
          onNode(node, type);
        }
        if (SCOPE_TYPE_SET.has(type)) {
          scopes.push(node);
          if (discovering) this.liveScopes.push({ id: node.id, start, end: node.endIndex });
        }
      }
    } finally {
      this.walkScope = undefined;
    }
  }

  /**
   * The live nodes of one type, in document order, with their scopes: what `walk` gives, from the
   * scopes and dead blocks the first walk found, so that no other node is brought out of
   * WebAssembly and no node's type is asked. A node's scope is the innermost live function, lambda
   * or class that comes before it in pre-order and has not ended where it starts.
   */
  private collect(type: string): Node[] {
    const dead = this.deadRanges ?? [];
    const scopes = this.liveScopes;
    const open: ScopeRange[] = [];
    const list: Node[] = [];
    let next = 0;
    for (const node of this.tree.rootNode.descendantsOfType(type)) {
      const start = node.startIndex;
      while (next < scopes.length && precedes(scopes[next], node)) {
        const scope = scopes[next++];
        while (open.length && open[open.length - 1].end <= scope.start) open.pop();
        open.push(scope);
      }
      while (open.length && open[open.length - 1].end <= start) open.pop();
      if (dead.some(([from, to]) => start >= from && start <= to && node.endIndex <= to)) continue;
      this.scopeOfNode.set(node.id, open.length ? open[open.length - 1].id : MODULE_SCOPE);
      list.push(node);
    }
    return list;
  }

  private isDeadBlock(block: Node): boolean {
    return isConstantFalse(field(block.parent, 'condition'));
  }

  private visit(node: Node, type: string): void {
    switch (type) {
      case 'import_statement':
        this.visitImport(node);
        break;
      case 'import_from_statement':
        this.visitImportFrom(node);
        break;
      case 'assignment':
        this.visitAssignment(node);
        break;
      case 'augmented_assignment':
        this.bindTargets(field(node, 'left'), 'other');
        break;
      case 'for_statement':
      case 'for_in_clause':
        this.bindTargets(field(node, 'left'), 'other');
        break;
      case 'as_pattern_target':
        this.bindTargets(node.namedChild(0), 'other');
        break;
      case 'named_expression':
        this.bindTargets(field(node, 'name'), 'other');
        break;
      case 'function_definition':
      case 'class_definition':
        this.bindTargets(field(node, 'name'), 'definition');
        break;
      case 'parameters':
      case 'lambda_parameters':
        this.visitParameters(node);
        break;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const name of node.namedChildren) if (name) this.bindTargets(name, 'other');
        break;
    }
  }

  private addBinding(binding: Binding): void {
    // During the walk the enclosing scope is known without climbing parents.
    const scope = this.walkScope ?? this.scopeId(binding.target);
    let names = this.scopes.get(scope);
    if (!names) this.scopes.set(scope, (names = new Map()));
    const name = binding.target.text;
    const list = names.get(name);
    if (list) list.push(binding);
    else names.set(name, [binding]);
  }

  private bindTargets(target: Node | null, kind: BindingKind, value?: Node): void {
    if (!target) return;
    if (target.type === 'identifier') {
      this.addBinding({ kind, target, value });
      return;
    }
    if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list'].includes(target.type)) {
      for (const child of target.namedChildren) if (child) this.bindTargets(child, 'other');
    } else if (target.type === 'list_splat_pattern' || target.type === 'parenthesized_expression') {
      this.bindTargets(target.namedChild(0), 'other');
    }
  }

  private visitAssignment(node: Node): void {
    const right = field(node, 'right');
    // `a = b = value` nests assignments; each target gets the innermost value.
    let value = right;
    while (value && value.type === 'assignment') value = field(value, 'right');
    this.bindTargets(field(node, 'left'), 'assign', value ?? undefined);
  }

  private visitParameters(node: Node): void {
    for (const param of node.namedChildren) {
      if (!param) continue;
      const name =
        param.type === 'identifier'
          ? param
          : (field(param, 'name') ??
            param.namedChildren.find((c) => c?.type === 'identifier') ??
            null);
      if (name?.type === 'identifier') this.addBinding({ kind: 'parameter', target: name });
    }
  }

  private visitImport(node: Node): void {
    for (const name of node.childrenForFieldName('name')) {
      if (name.type === 'aliased_import') {
        const module = field(name, 'name')!.text;
        const alias = field(name, 'alias');
        if (alias) this.addImport(alias, canonical(module));
      } else {
        // `import a.b.c` binds `a`, which then resolves attribute by attribute.
        const first = name.namedChild(0) ?? name;
        this.addImport(first, first.text);
      }
    }
  }

  private visitImportFrom(node: Node): void {
    const moduleNode = field(node, 'module_name');
    if (!moduleNode) return;
    const module = moduleNode.text;
    for (const name of node.childrenForFieldName('name')) {
      const imported = name.type === 'aliased_import' ? field(name, 'name')! : name;
      const local = name.type === 'aliased_import' ? field(name, 'alias')! : name;
      if (!local || (local.type !== 'identifier' && local.type !== 'dotted_name')) continue;
      const localId = local.type === 'dotted_name' ? local.namedChild(0)! : local;
      this.addImport(localId, canonical(`${module}.${imported.text}`));
    }
  }

  private addImport(target: Node, qualifiedName: string): void {
    const binding: Binding = { kind: 'import', target, qualifiedName };
    this.imports.push(binding);
    this.addBinding(binding);
  }

  /** The id of the function, lambda or class whose scope holds a node; -1 for the module. */
  scopeId(node: Node): number {
    const known = this.scopeOfNode.get(node.id);
    if (known !== undefined) return known;
    // `parent` is costly in tree-sitter (it searches down from the root), so the climb stops at the
    // first ancestor whose scope the walk already recorded.
    let child = node;
    let scope = MODULE_SCOPE;
    for (let current = parentOf(node); current; child = current, current = parentOf(current)) {
      const type = current.type;
      if (SCOPE_TYPE_SET.has(type)) {
        // A function's own name and its decorators belong to the enclosing scope.
        if (type !== 'lambda' && field(current, 'name')?.id === child.id) continue;
        scope = current.id;
        break;
      }
      const recorded = this.scopeOfNode.get(current.id);
      if (recorded !== undefined) {
        scope = recorded;
        break;
      }
    }
    this.scopeOfNode.set(node.id, scope);
    return scope;
  }

  /** Bindings visible for a name used at `node`: its function's, else the module's. */
  bindingsOf(name: string, at: Node): readonly Binding[] {
    const local = this.scopes.get(this.scopeId(at))?.get(name);
    if (local) return local;
    return this.scopes.get(MODULE_SCOPE)?.get(name) ?? [];
  }

  /** The only binding of a name, when it is bound exactly once. */
  singleBinding(name: Node): Binding | undefined {
    const bindings = this.bindingsOf(name.text, name);
    return bindings.length === 1 ? bindings[0] : undefined;
  }

  /** The value expression a name stands for, when it is bound once by a plain assignment. */
  valueOf(name: Node): Node | undefined {
    const binding = this.singleBinding(name);
    return binding?.kind === 'assign' ? binding.value : undefined;
  }

  /**
   * The dotted name an expression refers to, with imports and aliases resolved: `th.load` →
   * `torch.load`, `L` after `from torch import load as L` → `torch.load`, `open` → `builtins.open`.
   */
  qualifiedName(expression: Node | null | undefined, depth = 0): string | undefined {
    if (!expression || depth > 8) return undefined;
    // Every rule asks about the same calls: answers are kept per node for this lint.
    if (depth === 0) {
      if (this.qualifiedNames.has(expression.id)) return this.qualifiedNames.get(expression.id);
      const answer = this.computeQualifiedName(expression, 0);
      this.qualifiedNames.set(expression.id, answer);
      return answer;
    }
    return this.computeQualifiedName(expression, depth);
  }

  private computeQualifiedName(expression: Node, depth: number): string | undefined {
    const node = unparenthesize(expression);
    if (node.type === 'identifier') {
      const bindings = this.bindingsOf(node.text, node);
      if (bindings.length === 0)
        return BUILTINS.has(node.text) ? `builtins.${node.text}` : undefined;
      const imports = bindings.filter((b) => b.kind === 'import');
      if (
        imports.length === bindings.length &&
        new Set(imports.map((b) => b.qualifiedName)).size === 1
      ) {
        return imports[0].qualifiedName;
      }
      // `load = torch.load` binds a name once to something that resolves.
      if (bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value) {
        const value = unparenthesize(bindings[0].value);
        if (value.type === 'attribute' || value.type === 'identifier') {
          return this.qualifiedName(value, depth + 1);
        }
      }
      return undefined;
    }
    if (node.type === 'attribute') {
      const base = this.qualifiedName(field(node, 'object'), depth + 1);
      const attr = field(node, 'attribute');
      return base && attr ? canonical(`${base}.${attr.text}`) : undefined;
    }
    return undefined;
  }

  /** The qualified name of the function a call invokes. */
  calleeName(call: Node): string | undefined {
    if (this.callees.has(call.id)) return this.callees.get(call.id);
    const name = this.qualifiedName(field(call, 'function'));
    this.callees.set(call.id, name);
    return name;
  }

  /** The attribute name of a method call: `model.save(...)` → `save`. */
  methodName(call: Node): string | undefined {
    if (this.methodNames.has(call.id)) return this.methodNames.get(call.id);
    const fn = field(call, 'function');
    const name = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : undefined;
    this.methodNames.set(call.id, name);
    return name;
  }

  /** The literal value of a plain string (no interpolation), or undefined. */
  stringLiteral(expression: Node | null | undefined): string | undefined {
    const value = this.resolveValue(expression);
    if (!value || value.parts.some((p) => p.kind === 'hole')) return undefined;
    return value.parts.map((p) => (p.kind === 'literal' ? p.text : '')).join('');
  }

  /** Follows names bound once to a value; returns the final expression. */
  followName(expression: Node, depth = 0): Node {
    const node = unparenthesize(expression);
    if (node.type !== 'identifier' || depth > 10) return node;
    const value = this.valueOf(node);
    return value ? this.followName(value, depth + 1) : node;
  }

  /**
   * Resolves an expression to a string made of literal parts and holes, following names bound once,
   * f-strings, `+`, `os.path.join`, `Path(...)`, `Path / "x"`, `str(...)` and `os.path.expanduser`.
   */
  resolveValue(
    expression: Node | null | undefined,
    depth = 0,
    seen = new Set<number>(),
  ): ResolvedValue | undefined {
    if (!expression || depth > 12) return undefined;
    const node = unparenthesize(expression);
    const hole = (n: Node): ResolvedValue => ({
      parts: [{ kind: 'hole', node: n }],
      isPath: false,
    });
    switch (node.type) {
      case 'string':
        return this.resolveString(node, depth, seen);
      case 'concatenated_string': {
        const parts = node.namedChildren.map((c) => this.resolveString(c!, depth, seen));
        return joinValues(parts);
      }
      case 'identifier': {
        if (seen.has(node.id)) return hole(node);
        const value = this.valueOf(node);
        if (!value) return hole(node);
        seen.add(node.id);
        const resolved = this.resolveValue(value, depth + 1, seen);
        if (!resolved) return hole(node);
        return resolved;
      }
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.text;
        const left = this.resolveValue(field(node, 'left'), depth + 1, seen);
        const right = this.resolveValue(field(node, 'right'), depth + 1, seen);
        if (!left || !right) return undefined;
        if (operator === '+') return joinValues([left, right]);
        if (operator === '/' && left.isPath) {
          const joined = joinPaths([left, right]);
          return joined ? { ...joined, isPath: true } : undefined;
        }
        return undefined;
      }
      case 'call':
        return this.resolveCall(node, depth, seen);
      default:
        return undefined;
    }
  }

  private resolveCall(node: Node, depth: number, seen: Set<number>): ResolvedValue | undefined {
    const callee = this.calleeName(node);
    const args = callArguments(node);
    const resolveArgs = () => args.positional.map((a) => this.resolveValue(a, depth + 1, seen));
    if (callee === 'os.path.join' || callee === 'posixpath.join') {
      if (args.star.length > 0) return undefined;
      return joinPaths(resolveArgs());
    }
    if (
      callee === 'pathlib.Path' ||
      callee === 'pathlib.PurePath' ||
      callee === 'pathlib.PosixPath' ||
      callee === 'pathlib.WindowsPath'
    ) {
      if (args.positional.length === 0) return undefined;
      const joined = joinPaths(resolveArgs());
      return joined ? { ...joined, isPath: true } : undefined;
    }
    if (
      callee === 'builtins.str' ||
      callee === 'os.path.expanduser' ||
      callee === 'os.fspath' ||
      callee === 'os.path.abspath' ||
      callee === 'os.path.normpath'
    ) {
      return args.positional.length === 1
        ? this.resolveValue(args.positional[0], depth + 1, seen)
        : undefined;
    }
    // `Path("x").resolve()`, `.expanduser()`, `.absolute()` keep the path they were given.
    const fn = field(node, 'function');
    const method = this.methodName(node);
    if (
      fn?.type === 'attribute' &&
      method &&
      ['resolve', 'expanduser', 'absolute', 'as_posix'].includes(method)
    ) {
      const base = this.resolveValue(field(fn, 'object'), depth + 1, seen);
      if (base?.isPath) return base;
    }
    return undefined;
  }

  private resolveString(node: Node, depth: number, seen: Set<number>): ResolvedValue | undefined {
    if (node.type !== 'string') return undefined;
    const start = node.firstChild;
    const prefix = (start?.text ?? '').replace(/["']/g, '').toLowerCase();
    if (prefix.includes('b')) return undefined;
    const raw = prefix.includes('r');
    const parts: PathPart[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'string_content') {
        parts.push({ kind: 'literal', text: raw ? child.text : decodeEscapes(child.text), node });
      } else if (child.type === 'interpolation') {
        const inner = field(child, 'expression');
        const value =
          inner && !field(child, 'format_specifier') && !field(child, 'type_conversion')
            ? this.resolveValue(inner, depth + 1, seen)
            : undefined;
        if (value) parts.push(...value.parts);
        else parts.push({ kind: 'hole', node: child });
      }
    }
    return { parts: mergeLiterals(parts), isPath: false };
  }
}

function mergeLiterals(parts: PathPart[]): PathPart[] {
  const merged: PathPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (part.kind === 'literal' && last?.kind === 'literal' && last.node.id === part.node.id) {
      merged[merged.length - 1] = { ...last, text: last.text + part.text };
    } else {
      merged.push(part);
    }
  }
  return merged;
}

function joinValues(values: (ResolvedValue | undefined)[]): ResolvedValue | undefined {
  if (values.some((v) => !v)) return undefined;
  const parts: PathPart[] = [];
  for (const value of values) parts.push(...value!.parts);
  return { parts, isPath: values.some((v) => v!.isPath) };
}

/** `os.path.join` semantics: an absolute component discards what came before it. */
function joinPaths(values: (ResolvedValue | undefined)[]): ResolvedValue | undefined {
  if (values.length === 0 || values.some((v) => !v)) return undefined;
  let start = 0;
  values.forEach((value, i) => {
    const first = value!.parts[0];
    if (i > 0 && first?.kind === 'literal' && first.text.startsWith('/')) start = i;
  });
  const kept = values.slice(start).map((value, i, all) => {
    if (i === all.length - 1) return value!;
    const last = value!.parts[value!.parts.length - 1];
    const endsWithSlash = last?.kind === 'literal' && /[\\/]$/.test(last.text);
    return endsWithSlash
      ? value!
      : {
          ...value!,
          parts: [
            ...value!.parts,
            { kind: 'literal' as const, text: '/', node: last?.node ?? value!.parts[0].node },
          ],
        };
  });
  const joined = joinValues(kept);
  return joined;
}

/** The text of a resolved value with holes shown as `{…}`. */
export function renderValue(value: ResolvedValue): string {
  return value.parts.map((p) => (p.kind === 'literal' ? p.text : '{…}')).join('');
}

/** The literal text before the first hole. */
export function literalPrefix(value: ResolvedValue): string {
  let text = '';
  for (const part of value.parts) {
    if (part.kind === 'hole') break;
    text += part.text;
  }
  return text;
}
