import type { Node } from 'web-tree-sitter';
import { addSetupLines, importLines, insertAt, lineBreak, replaceNode } from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import { callArguments, field, unparenthesize } from '../semantic/nodes';
import { pathSinkArguments } from './shared/pathSinks';
import { defineRule, py, type Fix, type RuleContext, type TextEdit } from './types';

/** Conversions that fail on a malformed argument. */
const CONVERTERS: Record<string, string> = { 'builtins.int': 'int', 'builtins.float': 'float' };

/** Calls that build a path or text from an argument without using it yet. */
const WRAPPERS = new Set([
  'pathlib.Path',
  'os.path.join',
  'os.path.abspath',
  'os.path.expanduser',
  'os.fspath',
  'builtins.str',
]);

/** `pathlib.Path` methods that read or write the file system. */
const PATH_IO_METHODS = new Set([
  'open',
  'read_text',
  'read_bytes',
  'write_text',
  'write_bytes',
  'iterdir',
  'glob',
  'rglob',
  'mkdir',
  'unlink',
  'touch',
]);

/** Methods that run a model on their argument. */
const MODEL_METHODS = new Set([
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'generate',
  'transform',
  'encode',
  'classify',
]);

/** Handlers that catch a missing argument (IndexError) around its use. */
const INDEX_ERRORS = new Set([
  'IndexError',
  'LookupError',
  'Exception',
  'BaseException',
  'builtins.IndexError',
  'builtins.LookupError',
  'builtins.Exception',
  'builtins.BaseException',
]);

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

/** How an argument is used without a check. */
interface Use {
  kind: 'convert' | 'io' | 'model';
  /** `int`, `pandas.read_csv`, `.predict()`. */
  name: string;
}

/** `sys.argv[2]` → 2, through `import sys as s` and `from sys import argv`; else undefined. */
export function argvIndex(semantic: SemanticModel, subscript: Node): number | undefined {
  if (semantic.qualifiedName(field(subscript, 'value')) !== 'sys.argv') return undefined;
  const indexes = subscript.childrenForFieldName('subscript');
  if (indexes.length !== 1) return undefined;
  const index = semantic.followName(indexes[0]);
  return index.type === 'integer' && /^\d+$/.test(index.text) ? Number(index.text) : undefined;
}

/** `sys.argv`, a slice of it, or a name bound once to one of those. */
function isArgvList(semantic: SemanticModel, expression: Node): boolean {
  const node = semantic.followName(expression);
  if (semantic.qualifiedName(node) === 'sys.argv') return true;
  return (
    node.type === 'subscript' &&
    semantic.qualifiedName(field(node, 'value')) === 'sys.argv' &&
    node.childrenForFieldName('subscript').some((s) => s.type === 'slice')
  );
}

/** Whether a name is the builtin of that name: not bound anywhere it is visible. */
function isBuiltin(semantic: SemanticModel, node: Node | null, name: string): boolean {
  if (node?.type !== 'identifier' || node.text !== name) return false;
  return semantic.bindingsOf(name, node).length === 0;
}

const checkedFiles = new WeakMap<SemanticModel, boolean>();

/**
 * Whether the file looks at how many arguments it got: `len(sys.argv)`, `if sys.argv[1:]:`,
 * `if not args:` over a slice. One check anywhere is taken as the author's guard.
 */
function checksArgumentCount(semantic: SemanticModel): boolean {
  const known = checkedFiles.get(semantic);
  if (known !== undefined) return known;
  let checked = semantic.nodes('call').some((call) => {
    const arg = callArguments(call).positional[0];
    return (
      isBuiltin(semantic, field(call, 'function'), 'len') && !!arg && isArgvList(semantic, arg)
    );
  });
  const tests = [
    ...semantic.nodes('if_statement').map((n) => field(n, 'condition')),
    ...semantic.nodes('elif_clause').map((n) => field(n, 'condition')),
    ...semantic.nodes('while_statement').map((n) => field(n, 'condition')),
    ...semantic.nodes('not_operator').map((n) => field(n, 'argument')),
    ...semantic.nodes('boolean_operator').flatMap((n) => [field(n, 'left'), field(n, 'right')]),
    // `argv == []` compares the list; `"--verbose" in sys.argv` only searches it.
    ...semantic
      .nodes('comparison_operator')
      .filter((n) => !n.children.some((c) => c?.type === 'in' || c?.type === 'not in'))
      .flatMap((n) => n.namedChildren),
  ];
  checked ||= tests.some((t) => !!t && isArgvList(semantic, t));
  checkedFiles.set(semantic, checked);
  return checked;
}

function caughtNames(semantic: SemanticModel, clause: Node): string[] | undefined {
  const value = clause.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment');
  // A bare `except:` catches everything.
  if (!value) return undefined;
  const caught = unparenthesize(value.type === 'as_pattern' ? value.namedChild(0)! : value);
  const types = caught.type === 'tuple' ? caught.namedChildren : [caught];
  return types.map((t) => (t ? (semantic.qualifiedName(t) ?? t.text) : ''));
}

/** Whether a `try` around the node, in its function, catches the IndexError of a missing argument. */
function insideGuardingTry(semantic: SemanticModel, node: Node): boolean {
  for (let current = node; current.parent; current = current.parent) {
    const parent = current.parent;
    if (parent.type === 'function_definition' || parent.type === 'lambda') return false;
    if (parent.type !== 'try_statement' || field(parent, 'body')?.id !== current.id) continue;
    for (const clause of parent.namedChildren) {
      if (clause?.type !== 'except_clause') continue;
      const names = caughtNames(semantic, clause);
      if (!names || names.some((n) => INDEX_ERRORS.has(n))) return true;
    }
  }
  return false;
}

/** The expression an argument becomes part of: `Path(x)`, `f"{x}.csv"`, `x + ".csv"`. */
function outermostValue(semantic: SemanticModel, node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return current;
    if (parent.type === 'parenthesized_expression' || parent.type === 'binary_operator') {
      current = parent;
    } else if (parent.type === 'interpolation' && parent.parent?.type === 'string') {
      current = parent.parent;
    } else if (
      parent.type === 'argument_list' &&
      WRAPPERS.has(semantic.calleeName(parent.parent!) ?? '')
    ) {
      current = parent.parent!;
    } else {
      return current;
    }
  }
}

/** How a value is used directly: converted, read or written as a path, or given to a model. */
function useOf(semantic: SemanticModel, expression: Node, depth = 0): Use | undefined {
  if (depth > 4) return undefined;
  const value = outermostValue(semantic, expression);
  const parent = value.parent;
  const holder = parent?.type === 'keyword_argument' ? parent.parent : parent;
  if (holder?.type === 'argument_list' && holder.parent?.type === 'call') {
    const call = holder.parent;
    const callee = semantic.calleeName(call) ?? '';
    if (CONVERTERS[callee] && parent === holder)
      return { kind: 'convert', name: CONVERTERS[callee] };
    const sink = pathSinkArguments(semantic, call).find((s) => s.value.id === value.id);
    if (sink) return { kind: 'io', name: sink.sinkName };
    const method = semantic.methodName(call);
    if (method && MODEL_METHODS.has(method)) return { kind: 'model', name: `.${method}()` };
    return undefined;
  }
  // `Path(sys.argv[1]).read_text()`: a path method that touches the file system.
  const method = parent?.type === 'attribute' ? field(parent, 'attribute')?.text : undefined;
  if (method && PATH_IO_METHODS.has(method) && parent!.parent?.type === 'call')
    return { kind: 'io', name: `Path.${method}()` };
  // `path = sys.argv[1]`: the uses of a name bound once are the uses of the argument.
  if (parent?.type !== 'assignment' || field(parent, 'right')?.id !== value.id) return undefined;
  const target = field(parent, 'left');
  if (target?.type !== 'identifier') return undefined;
  const binding = semantic.singleBinding(target);
  if (!binding || binding.target.id !== target.id) return undefined;
  for (const use of usesOf(semantic, target)) {
    const found = useOf(semantic, use, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The reads of a name bound once, in the scope of its binding. */
function usesOf(semantic: SemanticModel, target: Node): Node[] {
  return semantic
    .nodes('identifier')
    .filter(
      (n) =>
        n.text === target.text &&
        n.id !== target.id &&
        semantic.singleBinding(n)?.target.id === target.id,
    );
}

function describe(index: number, use: Use): string {
  const argument = `\`sys.argv[${index}]\``;
  const missing = 'a missing argument stops the script with an IndexError and no usage message';
  switch (use.kind) {
    case 'convert':
      return `${argument} is converted with ${use.name}() without checking that it was given: ${missing}, a malformed one with a bare ValueError; use argparse with type=${use.name}`;
    case 'io':
      return `${argument} is used as a path (${use.name}) without checking that it was given: ${missing}; use argparse`;
    default:
      return `${argument} is passed to a model (${use.name}) without checking that it was given: ${missing}; use argparse`;
  }
}

/** One positional argument of the rewritten command line. */
interface Positional {
  index: number;
  name: string;
  /** `int` / `float` when every use converts it the same way. */
  type?: string;
  /** What each use is replaced by `args.<name>` in: the subscript, or its conversion call. */
  replaced: Node[];
}

const fixes = new WeakMap<SemanticModel, Fix | null>();

/** The argparse rewrite of the whole script, computed once per lint. */
function argparseFix(context: RuleContext): Fix | undefined {
  const { semantic } = context;
  if (!fixes.has(semantic)) fixes.set(semantic, buildArgparseFix(context) ?? null);
  return fixes.get(semantic) ?? undefined;
}

/** Every mention of `sys.argv` (or an imported `argv`) outside imports. */
function argvReferences(semantic: SemanticModel): Node[] {
  return [...semantic.nodes('attribute'), ...semantic.nodes('identifier')].filter(
    (n) =>
      semantic.qualifiedName(n) === 'sys.argv' &&
      n.parent?.type !== 'attribute' &&
      !['dotted_name', 'aliased_import', 'import_from_statement', 'import_statement'].includes(
        n.parent?.type ?? '',
      ),
  );
}

/**
 * A name for the argument: the variable it is assigned to, converted or not; the keyword it is
 * passed as; or `<variable>_path` for `model = joblib.load(sys.argv[3])`.
 */
function nameFor(semantic: SemanticModel, use: Node): string | undefined {
  const parent = use.parent;
  if (parent?.type === 'assignment' && field(parent, 'left')?.type === 'identifier')
    return field(parent, 'left')!.text;
  if (parent?.type === 'keyword_argument') return field(parent, 'name')?.text;
  const call = parent?.type === 'argument_list' ? parent.parent : null;
  const assigned = call?.parent;
  const isPath = !!call && pathSinkArguments(semantic, call).some((a) => a.value.id === use.id);
  if (isPath && assigned?.type === 'assignment' && field(assigned, 'left')?.type === 'identifier')
    return `${field(assigned, 'left')!.text}_path`;
  return undefined;
}

function buildArgparseFix(context: RuleContext): Fix | undefined {
  const { semantic, file } = context;
  // A notebook's cells would each need part of the rewrite.
  if (file.notebook) return undefined;
  const references = argvReferences(semantic);
  const positionals = new Map<number, Positional>();
  const uses: Node[] = [];
  for (const reference of references) {
    const subscript = reference.parent;
    const index = subscript?.type === 'subscript' ? argvIndex(semantic, subscript) : undefined;
    // Only `sys.argv[i]` with literal indexes; the script name `sys.argv[0]` stays as it is.
    if (index === undefined || subscript?.childForFieldName('value')?.id !== reference.id)
      return undefined;
    if (index === 0) continue;
    uses.push(subscript);
    const entry = positionals.get(index) ?? { index, name: '', replaced: [] };
    positionals.set(index, entry);
    entry.replaced.push(subscript);
  }
  const indexes = [...positionals.keys()].sort((a, b) => a - b);
  // Positional arguments 1..n, each of them used.
  if (indexes.length === 0 || indexes.some((index, i) => index !== i + 1)) return undefined;
  // All uses in one scope: the module, or a function named main.
  const scopes = new Set(uses.map((u) => semantic.scopeId(u)));
  if (scopes.size !== 1) return undefined;
  const host = hostBlock(uses);
  if (!host) return undefined;
  const scope = [...scopes][0];
  const owner = host.type === 'module' ? undefined : enclosingFunction(host);
  const inMain = owner?.id === scope && field(owner, 'name')?.text === 'main';
  if (scope !== -1 && !inMain) return undefined;

  const taken = new Set(semantic.nodes('identifier').map((n) => n.text));
  const namespace = freeName(taken, 'args', 'cli_args');
  const parser = freeName(taken, 'parser', 'cli_parser');
  const names = new Set<string>();
  for (const positional of positionals.values()) {
    const conversions = positional.replaced.map((s) => conversionOf(semantic, s));
    const type = conversions[0]?.type;
    if (type && conversions.every((c) => c?.type === type)) {
      positional.type = type;
      positional.replaced = conversions.map((c) => c!.call);
    }
    const candidates = positional.replaced
      .map((n) => nameFor(semantic, n))
      .filter((n): n is string => !!n);
    const proposed = candidates.find(
      (n) => !KEYWORDS.has(n) && !names.has(n) && /^[A-Za-z_]\w*$/.test(n),
    );
    positional.name = proposed ?? `arg${positional.index}`;
    if (names.has(positional.name)) return undefined;
    names.add(positional.name);
  }

  const statement = host.namedChildren.find(
    (c) => !!c && c.startIndex <= uses[0].startIndex && uses[0].endIndex <= c.endIndex,
  );
  if (!statement || uses.some((u) => u.startIndex === statement.startIndex)) return undefined;
  const eol = lineBreak(context, statement.startIndex);
  const indent = /[ \t]*$/.exec(file.text.slice(0, statement.startIndex))![0];
  const lines = [
    `${parser} = argparse.ArgumentParser()`,
    ...indexes.map((i) => {
      const p = positionals.get(i)!;
      return `${parser}.add_argument("${p.name}"${p.type ? `, type=${p.type}` : ''})`;
    }),
    `${namespace} = ${parser}.parse_args()`,
  ];
  const edits: TextEdit[] = [
    insertAt(statement.startIndex, lines.map((l) => `${l}${eol}${indent}`).join('')),
    ...[...positionals.values()].flatMap((p) =>
      p.replaced.map((node) => replaceNode(node, `${namespace}.${p.name}`)),
    ),
    ...addSetupLines(context, importLines(context, ['argparse'])),
  ];
  return { title: 'Read the arguments with argparse', safety: 'unsafe', edits };
}

/** `int(sys.argv[2])`: the conversion call that holds a subscript as its only argument. */
function conversionOf(
  semantic: SemanticModel,
  subscript: Node,
): { call: Node; type: string } | undefined {
  const list = subscript.parent;
  const call = list?.type === 'argument_list' ? list.parent : null;
  if (!call || list!.namedChildCount !== 1) return undefined;
  const type = CONVERTERS[semantic.calleeName(call) ?? ''];
  return type ? { call, type } : undefined;
}

function freeName(taken: Set<string>, ...candidates: string[]): string {
  const free = candidates.find((c) => !taken.has(c));
  if (free) return free;
  for (let n = 2; ; n++) if (!taken.has(`${candidates[0]}_${n}`)) return `${candidates[0]}_${n}`;
}

/**
 * Where the parser goes: the innermost function body, `if __name__ == "__main__":` block or module
 * that holds every use, so it is built once, before the first use, and not on import when the
 * uses are all in the entry block.
 */
function hostBlock(uses: Node[]): Node | undefined {
  let host = commonBlock(uses);
  while (host?.type === 'block') {
    const owner = host.parent;
    if (owner?.type === 'function_definition' || (owner && isMainGuard(owner))) return host;
    host = owner ? (ancestorBlock(owner) ?? undefined) : undefined;
  }
  return host;
}

function ancestorBlock(node: Node): Node | null {
  for (let n = node.parent; n; n = n.parent)
    if (n.type === 'block' || n.type === 'module') return n;
  return null;
}

function isMainGuard(node: Node): boolean {
  if (node.type !== 'if_statement') return false;
  const condition = field(node, 'condition')?.text.replace(/\s+/g, '').replace(/'/g, '"');
  return condition === '__name__=="__main__"' || condition === '"__main__"==__name__';
}

/** The innermost block (or the module) that holds every use. */
function commonBlock(uses: Node[]): Node | undefined {
  const chains = uses.map((u) => {
    const chain: Node[] = [];
    for (let n: Node | null = u.parent; n; n = n.parent)
      if (n.type === 'block' || n.type === 'module') chain.unshift(n);
    return chain;
  });
  let host: Node | undefined;
  for (let i = 0; chains.every((c) => c[i] && c[i].id === chains[0][i].id); i++)
    host = chains[0][i];
  return host;
}

function enclosingFunction(block: Node): Node | undefined {
  for (let n: Node | null = block; n; n = n.parent) if (n.type === 'function_definition') return n;
  return undefined;
}

export const uncheckedCliArgument = defineRule({
  code: 'MLH304',
  name: 'unchecked-cli-argument',
  family: 'inputs',
  severity: { script: 'warning', notebook: 'off', test: 'off' },
  fix: 'sometimes',
  triggers: ['argv'],
  docs: {
    summary: '`sys.argv[i]` is converted or used as a path without checking that it was given.',
    why:
      'A script that reads `sys.argv[1]` directly stops with an IndexError when it is started ' +
      'without the argument, and with a bare ValueError when `int(sys.argv[2])` gets `"ten"`: ' +
      'no usage line tells the next person (or the scheduler log) what was expected. Arguments ' +
      'that are passed on to file I/O or a model are read without any check of what they are.',
    howToFix:
      'Declare the arguments with argparse (or click/typer): a missing or malformed argument ' +
      'then gets a usage message and exit status 2, and `--help` documents the script. A ' +
      '`len(sys.argv)` check or a `try`/`except IndexError` around the use also silences the ' +
      'rule.',
    fixSafety:
      'For a script whose only arguments are `sys.argv[1]`..`sys.argv[n]`, used at module level ' +
      'or in `main`, the fix declares them with argparse, named after the variables they are ' +
      'assigned to (`type=int`/`float` when every use converts them), and replaces each use with ' +
      '`args.<name>`. It is unsafe: argparse rejects extra arguments and values starting with ' +
      '`-`, and exits with status 2 instead of raising.',
    examples: {
      invalid: [
        py`
          import sys

          import pandas as pd

          frame = pd.read_csv(sys.argv[1])
        `,
        py`
          from sys import argv

          epochs = int(argv[1])
        `,
      ],
      valid: [
        py`
          import argparse

          parser = argparse.ArgumentParser()
          parser.add_argument("data_path")
          args = parser.parse_args()
        `,
        py`
          import sys

          import pandas as pd

          if len(sys.argv) != 2:
              sys.exit(f"usage: {sys.argv[0]} DATA_CSV")
          frame = pd.read_csv(sys.argv[1])
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    return {
      subscript(subscript) {
        const index = argvIndex(semantic, subscript);
        // Only `sys.argv[i]` past the script name, with a literal index.
        if (index === undefined || index < 1) return;
        // A script that checks how many arguments it got guards its uses.
        if (checksArgumentCount(semantic)) return;
        // A `try` that catches IndexError around the use is a check too.
        if (insideGuardingTry(semantic, subscript)) return;
        const use = useOf(semantic, subscript);
        // Only arguments used directly: converted, used as a path, or given to a model.
        if (!use) return;
        const fix = argparseFix(context);
        context.report({
          node: subscript,
          message: describe(index, use),
          fixes: fix ? [fix] : [],
        });
      },
    };
  },
});
