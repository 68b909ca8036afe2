import type { Node } from 'web-tree-sitter';
import { addSetupLines, hasPlainImport, importLines, replaceNode } from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import { argument, callArguments, field, unparenthesize } from '../semantic/nodes';
import { bindingSource, provenanceOf } from './shared/provenance';
import { defineRule, py, type Fix, type RuleContext } from './types';

/** Builtins that run a string as Python code. */
const CODE_RUNNERS = new Set(['builtins.eval', 'builtins.exec']);

/** Names that say a string holds code or an expression, not data: no `literal_eval` fix for them. */
const CODE_NAME =
  /(expr|code|formula|func|lambda|source|src|cmd|command|stmt|statement|script|callable|snippet|query|rule|condition|predicate)/i;

/** Methods of a string or a file whose result is the text to parse, as data. */
const TEXT_METHODS = new Set(['strip', 'rstrip', 'lstrip', 'readline', 'read', 'decode']);

/**
 * Names that conventionally hold a pandas DataFrame: `df`, `train_df`, `df_test`. A plain `frame`
 * is as often a stack frame (`frame.eval(...)` in debuggers), so it needs a value that resolves.
 */
const FRAME_NAME = /^(df|dataframe|data_frame)(_\w+|\d+)?$|_(df|dataframe)s?$/i;

/** pandas functions whose result is a DataFrame (or a Series, which has no query but may eval). */
const FRAME_FACTORY =
  /^pandas\.(read_\w+|DataFrame|concat|merge|get_dummies|pivot_table|json_normalize)$/;

/** Whether a value is fixed by the program text: literals, and names bound only to such values. */
function isConstant(semantic: SemanticModel, expression: Node | null, depth = 0): boolean {
  if (!expression || depth > 10) return false;
  const node = unparenthesize(expression);
  switch (node.type) {
    case 'string':
      return node.namedChildren.every(
        (c) =>
          !c ||
          c.type !== 'interpolation' ||
          isConstant(semantic, field(c, 'expression'), depth + 1),
      );
    case 'concatenated_string':
    case 'expression_list':
    case 'tuple':
    case 'list':
    case 'set':
      return node.namedChildren.every(
        (c) => !c || c.type === 'comment' || isConstant(semantic, c, depth + 1),
      );
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'unary_operator':
      return isConstant(semantic, field(node, 'argument'), depth + 1);
    case 'binary_operator':
      return (
        isConstant(semantic, field(node, 'left'), depth + 1) &&
        isConstant(semantic, field(node, 'right'), depth + 1)
      );
    case 'conditional_expression':
      return (
        isConstant(semantic, node.namedChild(0), depth + 1) &&
        isConstant(semantic, node.namedChild(2), depth + 1)
      );
    case 'identifier':
      return isConstantName(semantic, node, depth);
    case 'call':
      return isConstantCall(semantic, node, depth);
    default:
      return false;
  }
}

/** A name whose every binding is a constant, or a loop over a constant sequence. */
function isConstantName(semantic: SemanticModel, name: Node, depth: number): boolean {
  const bindings = semantic.bindingsOf(name.text, name);
  if (bindings.length === 0) return false;
  return bindings.every((binding) => {
    if (binding.kind === 'assign' && binding.value)
      return isConstant(semantic, binding.value, depth + 1);
    if (binding.kind !== 'other') return false;
    // `for column in ("age", "income"):` and `for name, code in CASES:` take constant values.
    const holder = bindingSource(binding.target);
    return !!holder && isLoopOver(holder) && isConstantSequence(semantic, holder, depth + 1);
  });
}

/** Whether an expression is what a `for` loop or comprehension iterates over. */
function isLoopOver(iterable: Node): boolean {
  const loop = iterable.parent;
  return (
    (loop?.type === 'for_statement' || loop?.type === 'for_in_clause') &&
    field(loop, 'right')?.id === iterable.id
  );
}

/** A constant sequence, or `range(...)` over constants. */
function isConstantSequence(semantic: SemanticModel, iterable: Node, depth: number): boolean {
  const node = unparenthesize(iterable);
  if (node.type === 'call' && isBuiltinName(semantic, field(node, 'function'), 'range'))
    return callArguments(node).positional.every((a) => isConstant(semantic, a, depth + 1));
  return isConstant(semantic, node, depth);
}

/** A builtin called by its own name, not shadowed where it is used. */
function isBuiltinName(semantic: SemanticModel, node: Node | null, name: string): boolean {
  return (
    node?.type === 'identifier' &&
    node.text === name &&
    semantic.bindingsOf(name, node).length === 0
  );
}

/** `"{} > 3".format(limit)`, `" and ".join(("a > 1", "b < 2"))`, `str(30)` of constants. */
function isConstantCall(semantic: SemanticModel, call: Node, depth: number): boolean {
  const args = callArguments(call);
  const constantArgs =
    args.star.length === 0 &&
    args.doubleStar.length === 0 &&
    args.positional.every((a) => isConstant(semantic, a, depth + 1)) &&
    [...args.keywords.values()].every((a) => isConstant(semantic, a, depth + 1));
  if (!constantArgs) return false;
  const callee = semantic.calleeName(call);
  if (callee && PURE_FUNCTIONS.has(callee)) return true;
  // A method of a literal (`"{} > 3".format(limit)`, `"a b".split()`) computes a constant.
  const fn = field(call, 'function');
  return fn?.type === 'attribute' && isConstant(semantic, field(fn, 'object'), depth + 1);
}

/** Functions whose result is fixed by constant arguments. */
const PURE_FUNCTIONS = new Set([
  'builtins.str',
  'builtins.int',
  'builtins.float',
  'textwrap.dedent',
  'textwrap.indent',
  'inspect.cleandoc',
]);

/**
 * `eval(repr(x))` and `eval("np." + repr(x))` read back the program's own representation of an
 * object, the usual round-trip check of a `__repr__`.
 */
function isOwnRepr(semantic: SemanticModel, expression: Node, depth = 0): boolean {
  const node = semantic.followName(expression);
  if (depth > 6) return false;
  if (node.type === 'binary_operator') {
    const sides = [field(node, 'left'), field(node, 'right')].filter((n): n is Node => !!n);
    const reprs = sides.filter((side) => isOwnRepr(semantic, side, depth + 1));
    return (
      reprs.length > 0 && sides.every((side) => reprs.includes(side) || isConstant(semantic, side))
    );
  }
  if (node.type !== 'call') return false;
  const fn = field(node, 'function');
  return (
    isBuiltinName(semantic, fn, 'repr') ||
    isBuiltinName(semantic, fn, 'ascii') ||
    semantic.methodName(node) === '__repr__'
  );
}

/** Whether an expression is (most likely) a pandas DataFrame. */
function isDataFrame(semantic: SemanticModel, expression: Node, depth = 0): boolean {
  if (depth > 8) return false;
  const node = unparenthesize(expression);
  if (node.type === 'identifier') {
    if (FRAME_NAME.test(node.text)) return true;
    const binding = semantic.singleBinding(node);
    if (binding?.kind === 'parameter') {
      const parameter = binding.target.parent;
      const annotation = field(parameter, 'type')?.namedChild(0);
      return semantic.qualifiedName(annotation) === 'pandas.DataFrame';
    }
    const value = binding?.kind === 'assign' ? binding.value : undefined;
    return !!value && isDataFrame(semantic, value, depth + 1);
  }
  if (node.type === 'call') {
    if (FRAME_FACTORY.test(semantic.calleeName(node) ?? '')) return true;
    // `df.dropna().query(...)`: a method of a frame, called on it.
    const fn = field(node, 'function');
    return fn?.type === 'attribute' && isDataFrame(semantic, field(fn, 'object')!, depth + 1);
  }
  if (node.type === 'subscript') return isDataFrame(semantic, field(node, 'value')!, depth + 1);
  if (node.type === 'attribute') return isDataFrame(semantic, field(node, 'object')!, depth + 1);
  return false;
}

/** What runs: a string as code, a file's contents, or an expression over a DataFrame. */
type Kind = 'eval' | 'exec' | 'file' | 'compiled' | 'pandas';

interface Target {
  kind: Kind;
  /** The expression that holds the code. */
  code: Node;
  /** The name shown in the message: `eval`, `pd.eval`, `df.query`. */
  label: string;
}

/** The code a call runs, when it runs code given as a string. */
function targetOf(semantic: SemanticModel, call: Node): Target | undefined {
  const callee = semantic.calleeName(call);
  const args = callArguments(call);
  const fn = field(call, 'function')!;
  if (callee && CODE_RUNNERS.has(callee)) {
    const code = argument(args, 0, 'source');
    if (!code) return undefined;
    const value = semantic.followName(code);
    const label = callee.slice('builtins.'.length);
    // `exec(compile(source, filename, "exec"))` runs the compiled source.
    if (value.type === 'call' && semantic.calleeName(value) === 'builtins.compile') {
      const source = argument(callArguments(value), 0, 'source');
      if (!source) return undefined;
      const contents = isFileContents(semantic, semantic.followName(source));
      return { kind: contents ? 'file' : 'compiled', code: source, label };
    }
    if (isFileContents(semantic, value)) return { kind: 'file', code, label };
    return { kind: label === 'eval' ? 'eval' : 'exec', code, label };
  }
  if (callee === 'pandas.eval') {
    const code = argument(args, 0, 'expr');
    return code ? { kind: 'pandas', code, label: fn.text } : undefined;
  }
  const method = semantic.methodName(call);
  if (method !== 'query' && method !== 'eval') return undefined;
  const code = argument(args, 0, 'expr');
  // `model.eval()` takes no string; `session.query(User)` is not pandas.
  if (!code || !isDataFrame(semantic, field(fn, 'object')!)) return undefined;
  return { kind: 'pandas', code, label: fn.text };
}

/** `open(path).read()`, `Path(path).read_text()`, or `f.read()` of `with open(path) as f`. */
function isFileContents(semantic: SemanticModel, value: Node): boolean {
  if (value.type !== 'call') return false;
  const method = semantic.methodName(value);
  if (method !== 'read' && method !== 'read_text') return false;
  let receiver = unparenthesize(field(field(value, 'function'), 'object')!);
  if (receiver.type === 'identifier') {
    const binding = semantic.singleBinding(receiver);
    const holder = binding?.kind === 'other' ? bindingSource(binding.target) : undefined;
    receiver = holder ? unparenthesize(holder) : semantic.followName(receiver);
  }
  if (receiver.type !== 'call') return false;
  const opener = semantic.calleeName(receiver) ?? '';
  return opener === 'builtins.open' || opener === 'io.open' || opener.startsWith('pathlib.');
}

function messageFor(target: Target): string {
  switch (target.kind) {
    case 'file':
      return `\`${target.label}\` runs the contents of a file as code: import it as a module, or read data from it with json/tomllib/yaml.safe_load`;
    case 'compiled':
      return `\`${target.label}(compile(...))\` runs a string that is not written in the code: whoever controls it controls the process`;
    case 'pandas':
      return `\`${target.label}\` evaluates a string that is not written in the code: values put into it can inject expressions; refer to local variables with \`@name\` inside a literal expression`;
    default:
      return `\`${target.label}\` runs a string that is not written in the code: whoever controls it controls the process; parse data with ast.literal_eval or json`;
  }
}

/** The name a data argument is known by: `line`, `config_str`, `row["params"]` → `row`. */
function dataName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return field(node, 'attribute')?.text;
  if (node.type === 'subscript') return dataName(unparenthesize(field(node, 'value')!));
  if (node.type === 'call') {
    const fn = field(node, 'function');
    if (fn?.type === 'identifier') return fn.text === 'input' ? 'input' : undefined;
    const method = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : undefined;
    if (!method || !TEXT_METHODS.has(method)) return undefined;
    return dataName(unparenthesize(field(fn, 'object')!));
  }
  return undefined;
}

/** `eval(line)` → `ast.literal_eval(line)`, when the single argument reads as data. */
function literalEvalFix(context: RuleContext, call: Node): Fix[] {
  const { semantic } = context;
  const args = callArguments(call);
  // Only `eval(x)`: globals, locals or keywords mean the caller wants names or code evaluated.
  if (args.positional.length !== 1 || args.keywords.size > 0 || args.star.length > 0) return [];
  if (args.doubleStar.length > 0) return [];
  const name = dataName(unparenthesize(args.positional[0]));
  if (!name || CODE_NAME.test(name)) return [];
  // `ast` must mean the module wherever the call is: imported plainly, or not bound at all.
  const astBindings = semantic.bindingsOf('ast', call);
  const astIsModule = astBindings.every((b) => b.kind === 'import' && b.qualifiedName === 'ast');
  if (!astIsModule || (astBindings.length > 0 && !hasPlainImport(context, 'ast'))) return [];
  return [
    {
      title: 'Parse the value with ast.literal_eval',
      safety: 'unsafe',
      edits: [
        replaceNode(field(call, 'function')!, 'ast.literal_eval'),
        ...addSetupLines(context, importLines(context, ['ast'])),
      ],
    },
  ];
}

export const dynamicCodeExecution = defineRule({
  code: 'MLH305',
  name: 'dynamic-code-execution',
  family: 'inputs',
  severity: { script: 'warning', notebook: 'warning', test: 'warning' },
  fix: 'sometimes',
  triggers: ['eval', 'exec', 'query'],
  docs: {
    summary: '`eval`/`exec` or a pandas expression runs a string that is not fixed in the code.',
    why:
      'A string that reaches `eval`, `exec`, `pd.eval`, `DataFrame.query` or `DataFrame.eval` is ' +
      'code. When any part of it comes from a config file, a request, a command line or a dataset, ' +
      'whoever writes that value runs code in the training job or the prediction service; a stray ' +
      'value crashes it with a SyntaxError deep in a pipeline. `exec(open(path).read())` runs a ' +
      'whole file whose contents nobody reviews at the call. The finding is an error when the ' +
      'string comes from an HTTP request, a download, the command line, the environment or ' +
      '`input()`.',
    howToFix:
      'Parse data with `ast.literal_eval` (Python literals only) or `json.loads`; look names up ' +
      'in a dict or with `getattr` instead of evaluating them; in `DataFrame.query`/`eval` refer ' +
      'to values with `@name` inside a literal expression (`df.query("age > @min_age")`) or use ' +
      'boolean indexing; import a module instead of executing a file.',
    fixSafety:
      '`eval(x)` → `ast.literal_eval(x)` is offered when the argument reads as data (a name, an ' +
      'item, a stripped line, `input()`) and not as code (`expr`, `formula`, `code`, ...). It is ' +
      'unsafe: strings holding anything other than a Python literal (`2 * 3`, names, calls) now ' +
      'raise ValueError, which is the point but needs review.',
    examples: {
      invalid: [
        py`
          with open("params.txt") as f:
              params = eval(f.readline())
        `,
        py`
          exec(open("setup_env.py").read())
        `,
        py`
          import pandas as pd

          def adults(df: pd.DataFrame, column: str):
              return df.query(f"{column} >= 18")
        `,
      ],
      valid: [
        py`
          import ast

          with open("params.txt") as f:
              params = ast.literal_eval(f.readline())
        `,
        py`
          import pandas as pd

          df = pd.read_csv("customers.csv")
          min_age = 18
          adults = df.query("age >= @min_age")
          teens = df.query(f"age < {min_age}")
        `,
        py`
          import torch

          model = torch.nn.Linear(4, 2)
          model.eval()
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const target = targetOf(semantic, call);
        // Only calls that run a string as code or as a pandas expression.
        if (!target) return;
        // A string fixed in the program text is code the author wrote and reviewed.
        if (isConstant(semantic, target.code)) return;
        // Reading back `repr(x)` checks the program's own objects.
        if (isOwnRepr(semantic, target.code)) return;
        const fixes = target.kind === 'eval' ? literalEvalFix(context, call) : [];
        const node = field(call, 'function')!;
        const origin = provenanceOf(semantic, target.code);
        // A string from a request, a download, the command line or the environment is an error.
        if (!origin) {
          context.report({ node, message: messageFor(target), fixes });
          return;
        }
        context.report({
          node,
          // Code read from a file whose path comes from outside: it is the path that comes from there.
          message: `${messageFor(target)}; the ${origin.read ? 'path of the code' : 'string'} comes from ${origin.source}`,
          fixes,
          severity: 'error',
        });
      },
    };
  },
});
