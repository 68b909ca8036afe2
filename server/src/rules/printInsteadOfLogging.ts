import { basename, dirname, join, sep } from 'node:path';
import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  existingLoggerName,
  indentUnit,
  indentationAt,
  lineBreak,
  loggerSetup,
  replaceNode,
  setupInsertionPoint,
} from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import { ancestor, callArguments, field, unparenthesize } from '../semantic/nodes';
import { loggerKind, mainGuards } from './shared/logging';
import { defineRule, py, type Fix, type RuleContext, type TextEdit } from './types';

/** Methods whose call on a local object means the program trains, evaluates or uses a model. */
const MODEL_METHODS = new Set([
  'fit',
  'partial_fit',
  'fit_transform',
  'fit_predict',
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'evaluate',
  'train',
  'train_on_batch',
  'test_on_batch',
  'predict_on_batch',
  'fit_generator',
  'evaluate_generator',
  'predict_generator',
]);

/** Model methods whose name other objects use too; their receiver must look like a model. */
const AMBIGUOUS_METHODS = new Set(['train', 'evaluate']);
const MODEL_RECEIVER =
  /model|net|trainer|clf|classifier|regressor|estimator|learner|booster|bst|gbm|pipe|search|tokenizer|agent|policy/i;

/** Module functions that train or cross-validate a model. */
const TRAINING_FUNCTIONS = new Set([
  'xgboost.train',
  'xgboost.cv',
  'lightgbm.train',
  'lightgbm.cv',
  'catboost.cv',
  'sklearn.model_selection.cross_val_score',
  'sklearn.model_selection.cross_validate',
  'sklearn.model_selection.cross_val_predict',
  'sklearn.model_selection.learning_curve',
  'sklearn.model_selection.validation_curve',
  'torch.autograd.backward',
]);

/** Packages whose import means the program serves requests (and so, here, a model). */
const WEB_FRAMEWORKS = [
  'flask',
  'fastapi',
  'starlette',
  'django',
  'aiohttp',
  'tornado',
  'bottle',
  'sanic',
  'falcon',
  'quart',
  'gradio',
  'streamlit',
  'ray.serve',
  'bentoml',
  'litserve',
];

/** Receivers of `.step()` that are optimizers: `optimizer`, `opt`, `self.optim_g`. */
const OPTIMIZER_NAME = /(^|[._])(optim\w*|opt|optimizer\w*)$/i;

type Reason = 'training-loop' | 'model-code' | 'library';

/** The top-level statements of a module (or block), looking through if/try/with/else wrappers. */
function topLevelStatements(root: Node): Node[] {
  const out: Node[] = [];
  const stack = [...root.namedChildren].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!node) continue;
    if (
      [
        'if_statement',
        'try_statement',
        'else_clause',
        'elif_clause',
        'except_clause',
        'finally_clause',
        'block',
      ].includes(node.type)
    ) {
      out.push(node);
      stack.push(...[...node.namedChildren].reverse());
      continue;
    }
    out.push(node);
  }
  return out;
}

function definitionOf(statement: Node): Node | null {
  if (statement.type === 'function_definition' || statement.type === 'class_definition')
    return statement;
  if (statement.type === 'decorated_definition') return field(statement, 'definition');
  return null;
}

/** Whether a node sits inside a function, lambda or class body (code that does not run at import). */
function insideDefinition(node: Node, root?: Node): boolean {
  for (let current = node.parent; current && current !== root; current = current.parent) {
    if (['function_definition', 'lambda', 'class_definition'].includes(current.type)) return true;
  }
  return false;
}

/** Calls made by top-level code itself, not by functions or classes it defines. */
function topLevelCalls(semantic: SemanticModel): Node[] {
  return semantic.nodes('call').filter((call) => !insideDefinition(call));
}

/** What the linted program is, as far as prints are concerned. */
interface ProgramFacts {
  /** The program trains, evaluates or serves a model. */
  modelCode: boolean;
  /** An importable module: no entry point, only definitions at the top level. */
  library: boolean;
  /** Whether a node is entry-point code, where printing the program's results is allowed. */
  isEntry(node: Node): boolean;
  /** Module-level functions whose bodies hold training steps. */
  trainingFunctions: Set<string>;
}

function isTrainingStep(
  semantic: SemanticModel,
  call: Node,
  trainingFunctions: Set<string>,
): boolean {
  const method = semantic.methodName(call);
  const fn = field(call, 'function');
  const receiver = fn?.type === 'attribute' ? field(fn, 'object') : null;
  const positional = callArguments(call).positional;
  if (method === 'backward')
    return positional.length === 0 || /accelerator|fabric/i.test(receiver?.text ?? '');
  if (method === 'step')
    return (
      OPTIMIZER_NAME.test(receiver?.text ?? '') ||
      (positional.length > 0 && OPTIMIZER_NAME.test(positional[0].text))
    );
  if (method === 'train_on_batch' || method === 'partial_fit') return true;
  if (fn?.type === 'identifier') return trainingFunctions.has(fn.text);
  return false;
}

function isModelCall(semantic: SemanticModel, call: Node): boolean {
  const callee = semantic.calleeName(call);
  if (callee && TRAINING_FUNCTIONS.has(callee)) return true;
  const method = semantic.methodName(call);
  if (!method || !MODEL_METHODS.has(method)) return false;
  // `stats.norm.fit(data)` is a module function; a model is a local object.
  const receiver = field(field(call, 'function'), 'object');
  if (!receiver || semantic.qualifiedName(receiver)) return false;
  // `train` and `evaluate` are common words (`page.evaluate(js)`): the receiver must say model.
  if (AMBIGUOUS_METHODS.has(method))
    return receiver.type === 'call' || MODEL_RECEIVER.test(receiver.text);
  return true;
}

function importedModules(semantic: SemanticModel): string[] {
  const modules: string[] = [];
  for (const node of semantic.nodes('import_statement')) {
    for (const name of node.childrenForFieldName('name')) {
      modules.push((name.type === 'aliased_import' ? field(name, 'name') : name)?.text ?? '');
    }
  }
  for (const node of semantic.nodes('import_from_statement')) {
    const module = field(node, 'module_name')?.text ?? '';
    modules.push(module);
    for (const name of node.childrenForFieldName('name')) {
      const imported = name.type === 'aliased_import' ? field(name, 'name') : name;
      modules.push(`${module}.${imported?.text ?? ''}`);
    }
  }
  return modules;
}

function servesRequests(semantic: SemanticModel): boolean {
  return importedModules(semantic).some((m) =>
    WEB_FRAMEWORKS.some((w) => m === w || m.startsWith(`${w}.`)),
  );
}

/** Module-level functions by name, for names bound only by their definition. */
function moduleFunctions(semantic: SemanticModel): Map<string, Node> {
  const functions = new Map<string, Node>();
  for (const statement of semantic.tree.rootNode.namedChildren) {
    const definition = statement ? definitionOf(statement) : null;
    if (definition?.type !== 'function_definition') continue;
    const name = field(definition, 'name');
    if (!name) continue;
    // A name bound more than once (redefined, reassigned) cannot be followed.
    if (semantic.bindingsOf(name.text, semantic.tree.rootNode).length !== 1) continue;
    functions.set(name.text, definition);
  }
  return functions;
}

/** Names of module functions that are only ever called (never passed around) from `inEntry` code. */
function functionsCalledOnlyFrom(
  semantic: SemanticModel,
  functions: Map<string, Node>,
  inEntry: (node: Node) => boolean,
): Set<string> {
  const uses = new Map<string, Node[]>();
  for (const identifier of semantic.nodes('identifier')) {
    const definition = functions.get(identifier.text);
    if (!definition || field(definition, 'name')?.id === identifier.id) continue;
    // `obj.name` and `f(name=...)` use another name that happens to be spelled the same.
    const parent = identifier.parent;
    if (parent?.type === 'attribute' && field(parent, 'attribute')?.id === identifier.id) continue;
    if (parent?.type === 'keyword_argument' && field(parent, 'name')?.id === identifier.id)
      continue;
    const list = uses.get(identifier.text) ?? [];
    list.push(identifier);
    uses.set(identifier.text, list);
  }
  const only = new Set<string>();
  for (const [name, list] of uses) {
    const called = list.every(
      (use) =>
        use.parent?.type === 'call' &&
        field(use.parent, 'function')?.id === use.id &&
        semantic.bindingsOf(name, use).every((b) => b.kind === 'definition') &&
        inEntry(use),
    );
    if (called) only.add(name);
  }
  return only;
}

/** Functions that are command-line entry points by convention: `main`, click/typer commands. */
function isCommandFunction(semantic: SemanticModel, definition: Node): boolean {
  if (field(definition, 'name')?.text === 'main') return true;
  const decorated = definition.parent?.type === 'decorated_definition' ? definition.parent : null;
  return (decorated?.namedChildren ?? []).some((decorator) => {
    if (decorator?.type !== 'decorator') return false;
    const expression = decorator.namedChild(0);
    const target = expression?.type === 'call' ? field(expression, 'function') : expression;
    const name = semantic.qualifiedName(target) ?? '';
    return (
      name.startsWith('click.') ||
      name.startsWith('typer.') ||
      (target?.type === 'attribute' && field(target, 'attribute')?.text === 'command')
    );
  });
}

/** Whether top-level code does the work of a program rather than only defining things. */
function runsAtTopLevel(semantic: SemanticModel, functions: Map<string, Node>): boolean {
  for (const statement of topLevelStatements(semantic.tree.rootNode)) {
    if (['for_statement', 'while_statement', 'with_statement'].includes(statement.type))
      return true;
  }
  for (const call of topLevelCalls(semantic)) {
    const fn = field(call, 'function');
    // Calling its own functions at import time, or handing them to a call, is running a program.
    if (fn?.type === 'identifier' && functions.has(fn.text)) return true;
    const passed = callArguments(call).positional.some(
      (arg) => arg.type === 'identifier' && functions.has(arg.text),
    );
    if (passed) return true;
    if (isModelCall(semantic, call)) return true;
    // A bare call statement other than print or a registration is a step of a script.
    if (call.parent?.type !== 'expression_statement') continue;
    const name = semantic.methodName(call) ?? (fn?.type === 'identifier' ? fn.text : '');
    if (semantic.calleeName(call) === 'builtins.print') continue;
    if (
      /^(_.*|register.*|filterwarnings|simplefilter|setdefault|update|extend|append|insert|add.*|set.*|install|patch.*|seed|use|disable|enable|warn|basicConfig)$/.test(
        name,
      )
    )
      continue;
    return true;
  }
  return false;
}

/** A module named for the command line (`cli.py`, `_cli.py`, `train_cli.py`, `main.py`): its prints are its interface. */
function isCommandLineModule(path: string): boolean {
  const stem = basename(path).replace(/\.py$/, '');
  return stem === 'main' || stem === '__main__' || words(stem).includes('cli');
}

/**
 * Whether the file belongs to a package run as a program (`python -m pkg`): a `__main__.py` next to
 * it or in a package folder above it. Such modules are the application, and their prints its output.
 */
function inRunnablePackage(context: RuleContext): boolean {
  const main = context.project.findUp(['__main__.py'])[0];
  if (!main) return false;
  const pkg = dirname(main);
  // Only a package's `__main__.py` counts, and only for a module inside that package.
  if (context.project.read(join(pkg, '__init__.py')) === undefined) return false;
  const init = context.project.findUp(['__init__.py'])[0];
  return !!init && `${dirname(init)}${sep}`.startsWith(`${pkg}${sep}`);
}

function programFacts(context: RuleContext): ProgramFacts {
  const { semantic, file } = context;
  const root = semantic.tree.rootNode;
  const functions = moduleFunctions(semantic);
  const trainingFunctions = new Set<string>();
  for (const [name, definition] of functions) {
    const body = field(definition, 'body');
    if (body?.descendantsOfType('call').some((c) => isTrainingStep(semantic, c, new Set())))
      trainingFunctions.add(name);
  }
  const modelCode =
    servesRequests(semantic) ||
    semantic
      .nodes('call')
      .some((c) => isModelCall(semantic, c) || isTrainingStep(semantic, c, new Set()));
  const guards = mainGuards(semantic);
  const hasDefinitions = root.namedChildren.some((s) => s && definitionOf(s));
  const library =
    file.scope === 'script' &&
    guards.length === 0 &&
    hasDefinitions &&
    !runsAtTopLevel(semantic, functions) &&
    !isCommandLineModule(file.path) &&
    !inRunnablePackage(context);

  const allowed = context.options.printAllowedInMain;
  // A program's code outside functions and classes (its main block included) is its entry point.
  const topLevelIsEntry = allowed && !library;
  const entryRanges: { start: number; end: number }[] = [];
  const addRange = (node: Node) => entryRanges.push({ start: node.startIndex, end: node.endIndex });
  if (topLevelIsEntry) {
    // So are the functions only the entry point calls (`main()`, a `report()` of the results).
    const onlyFromTop = functionsCalledOnlyFrom(semantic, functions, (n) => !insideDefinition(n));
    for (const name of onlyFromTop) addRange(functions.get(name)!);
  }
  if (allowed) {
    for (const definition of functions.values())
      if (isCommandFunction(semantic, definition)) addRange(definition);
  }
  // A command-line module is the program's interface as a whole.
  const commandModule = allowed && isCommandLineModule(file.path);
  const isEntry = (node: Node) =>
    commandModule ||
    (topLevelIsEntry && !insideDefinition(node)) ||
    entryRanges.some((r) => node.startIndex >= r.start && node.endIndex <= r.end);
  return { modelCode, library, isEntry, trainingFunctions };
}

/** The outermost loop around a node (within its function) that holds a training step. */
function enclosingTrainingLoop(
  semantic: SemanticModel,
  node: Node,
  trainingFunctions: Set<string>,
): Node | null {
  let outermost: Node | null = null;
  for (let current = node.parent; current; current = current.parent) {
    if (['function_definition', 'lambda', 'class_definition'].includes(current.type)) break;
    if (current.type === 'for_statement' || current.type === 'while_statement') outermost = current;
  }
  if (!outermost) return null;
  const trains = outermost
    .descendantsOfType('call')
    .some((c) => isTrainingStep(semantic, c, trainingFunctions));
  return trains ? outermost : null;
}

/** Whether a print's `file=` argument is standard output or standard error (or absent). */
function standardStream(
  semantic: SemanticModel,
  file: Node | undefined,
): 'stdout' | 'stderr' | undefined {
  if (!file) return 'stdout';
  const value = unparenthesize(file);
  if (value.type === 'none') return 'stdout';
  const name = semantic.qualifiedName(semantic.followName(value));
  if (name === 'sys.stdout' || name === 'sys.__stdout__') return 'stdout';
  if (name === 'sys.stderr' || name === 'sys.__stderr__') return 'stderr';
  return undefined;
}

function where(node: Node): string {
  const fn = ancestor(node, ['function_definition']);
  const name = fn ? field(fn, 'name')?.text : undefined;
  if (!name) return 'at the top level';
  const owner = ancestor(fn!, ['class_definition']);
  const className = owner ? field(owner, 'name')?.text : undefined;
  return `in ${className ? `${className}.` : ''}${name}()`;
}

// ---------------------------------------------------------------------------------------------
// The fix: print(...) → logger.info("...", args), keeping the printed text.
// ---------------------------------------------------------------------------------------------

type FormatStyle = 'percent' | 'brace';

/** A piece of the printed text: literal characters from the source, or a formatted value. */
type Piece =
  /** `string` is the literal the characters come from; absent for text that needs no escaping. */
  | { kind: 'literal'; content: string; string?: StringInfo; fstring: boolean }
  | { kind: 'space' }
  /** Where a multi-line implicit concatenation had a line break between two strings. */
  | { kind: 'break' }
  | { kind: 'value'; expression: string; conversion?: string; spec?: string };

interface StringInfo {
  raw: boolean;
  /** The delimiter: `"`, `'`, `"""` or `'''`. */
  quote: string;
}

function stringInfo(node: Node): StringInfo | undefined {
  const start = node.firstChild?.text ?? '';
  const prefix = start.replace(/["']+$/, '').toLowerCase();
  if (prefix.includes('b')) return undefined;
  return { raw: prefix.includes('r'), quote: start.slice(prefix.length) };
}

/** Escapes whose value is a brace or a percent sign would change meaning in a format string. */
const HIDDEN_FORMAT_CHARACTER = /\\(x25|x7b|x7d|045|173|175|u0025|u007b|u007d|N\{)/i;

/** The pieces of one string literal, or undefined when it cannot be carried into a format. */
function stringPieces(node: Node): Piece[] | undefined {
  const info = stringInfo(node);
  if (!info) return undefined;
  const fstring = /f/i.test(node.firstChild?.text ?? '');
  const pieces: Piece[] = [];
  for (const child of node.namedChildren) {
    if (!child || child.type === 'string_start' || child.type === 'string_end') continue;
    if (child.type === 'string_content') {
      if (HIDDEN_FORMAT_CHARACTER.test(child.text)) return undefined;
      pieces.push({ kind: 'literal', content: child.text, string: info, fstring });
      continue;
    }
    if (child.type !== 'interpolation') return undefined;
    const expression = field(child, 'expression');
    if (!expression) return undefined;
    const spec = field(child, 'format_specifier');
    // A nested field (`{x:{width}}`) has no fixed format.
    if (spec?.namedChildren.some((c) => c?.type === 'format_expression')) return undefined;
    const conversion = field(child, 'type_conversion')?.text.slice(1);
    const debug = child.children.find((c) => c?.type === '=');
    if (debug) {
      // `{x=}` prints the expression's source text, then its repr.
      const next = debug.nextSibling;
      const label = node.tree.rootNode.text.slice(
        child.startIndex + 1,
        next?.startIndex ?? debug.endIndex,
      );
      if (/["'\\{}%\n\r]/.test(label) || spec || conversion) return undefined;
      pieces.push({ kind: 'literal', content: label, fstring: false });
      pieces.push({ kind: 'value', expression: argumentText(expression), conversion: 'r' });
      continue;
    }
    pieces.push({
      kind: 'value',
      expression: argumentText(expression),
      conversion,
      spec: spec ? spec.text.replace(/^:/, '') : undefined,
    });
  }
  return pieces;
}

/** An expression as a call argument: a bare tuple or walrus needs its own parentheses. */
function argumentText(expression: Node): string {
  return ['expression_list', 'named_expression', 'yield'].includes(expression.type)
    ? `(${expression.text})`
    : expression.text;
}

/** The pieces of one print argument. */
function argumentPieces(argument: Node): Piece[] | undefined {
  const node = unparenthesize(argument);
  if (node.type === 'string' && stringInfo(node)) return stringPieces(node);
  if (node.type === 'concatenated_string' && node.namedChildren.every((c) => c && stringInfo(c))) {
    const pieces: Piece[] = [];
    let previous: Node | undefined;
    for (const part of node.namedChildren) {
      const more = stringPieces(part!);
      if (!more) return undefined;
      if (previous && part!.startPosition.row > previous.endPosition.row)
        pieces.push({ kind: 'break' });
      pieces.push(...more);
      previous = part!;
    }
    return pieces;
  }
  return [{ kind: 'value', expression: argumentText(argument) }];
}

const NUMERIC_TYPES = new Set(['d', 'x', 'X', 'o', 'c', 'e', 'E', 'f', 'F', 'g', 'G']);
const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/s;

/**
 * The %-placeholder formatting a value exactly as `format(value, spec)` after the conversion would,
 * or undefined when %-formatting has no exact equivalent (centring, grouping, fill characters, ...).
 */
export function percentPlaceholder(conversion?: string, spec?: string): string | undefined {
  const convert = conversion ?? 's';
  if (!['s', 'r', 'a'].includes(convert)) return undefined;
  if (!spec) return `%${convert}`;
  const match = SPEC.exec(spec);
  if (!match) return undefined;
  const [, fill, align, sign, z, alternate, zero, width, grouping, precision, type] = match;
  if ((fill && fill !== ' ') || align === '^' || align === '=' || z || grouping) return undefined;
  const numeric = !!type && NUMERIC_TYPES.has(type) && !conversion;
  if (!numeric) {
    // Text (a conversion, `s`, or no type): only alignment, width and precision (truncation).
    if (sign || alternate || zero || (type && type !== 's')) return undefined;
    // Without a type the value's own __format__ decides: only an explicit alignment is known.
    if (!type && !conversion && (precision || (width && !align))) return undefined;
    const left = align === '<' || (!align && !!width);
    return `%${left && width ? '-' : ''}${width ?? ''}${precision ? `.${precision}` : ''}${convert}`;
  }
  // Integers take no precision; an explicit alignment with zero padding has no %-equivalent.
  if (precision && 'dxXoc'.includes(type)) return undefined;
  if (zero && align) return undefined;
  const flags =
    (align === '<' ? '-' : '') +
    (sign && sign !== '-' ? sign : '') +
    (alternate ?? '') +
    (zero ?? '');
  return `%${flags}${width ?? ''}${precision ? `.${precision}` : ''}${type}`;
}

function bracePlaceholder(conversion?: string, spec?: string): string {
  return `{${conversion ? `!${conversion}` : ''}${spec !== undefined ? `:${spec}` : ''}}`;
}

/** Rewrites a piece of string content for another delimiter (always a plain `"` string). */
function transcode(content: string, from: StringInfo, to: StringInfo): string {
  if (from.raw === to.raw && from.quote === to.quote) return content;
  let out = '';
  for (let i = 0; i < content.length; i++) {
    const ch = content[i];
    if (from.raw) {
      if (ch === '\\') out += '\\\\';
      else if (ch === '"') out += '\\"';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else out += ch;
      continue;
    }
    if (ch === '\\') {
      const next = content[i + 1];
      // A backslash before a line break continues the string: it adds no character.
      if (next === '\n') i += 1;
      else if (next === '\r') i += content[i + 2] === '\n' ? 2 : 1;
      else {
        out += ch + (next ?? '');
        i += 1;
      }
      continue;
    }
    if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return out;
}

/** The format string and the arguments that print the same text as the pieces. */
function renderFormat(
  pieces: Piece[],
  style: FormatStyle,
): { literals: string[]; args: string[] } | undefined {
  const kinds = pieces.flatMap((p) => (p.kind === 'literal' && p.string ? [p.string] : []));
  // One kind of string literal keeps its delimiter; a mix becomes a plain double-quoted string.
  const uniform = kinds.every((k) => k.raw === kinds[0].raw && k.quote === kinds[0].quote);
  const target: StringInfo = uniform && kinds.length > 0 ? kinds[0] : { raw: false, quote: '"' };
  const args = pieces.flatMap((p) => (p.kind === 'value' ? [p.expression] : []));
  const hasArgs = args.length > 0;
  // The format is split where the printed concatenation was, one string per line.
  const texts = [''];
  for (const piece of pieces) {
    if (piece.kind === 'break') {
      texts.push('');
    } else if (piece.kind === 'space') {
      texts[texts.length - 1] += ' ';
    } else if (piece.kind === 'value') {
      const placeholder =
        style === 'percent'
          ? percentPlaceholder(piece.conversion, piece.spec)
          : bracePlaceholder(piece.conversion, piece.spec);
      if (!placeholder) return undefined;
      texts[texts.length - 1] += placeholder;
    } else {
      texts[texts.length - 1] += piece.string
        ? transcode(
            formatContent(piece.content, piece.fstring, style, hasArgs),
            piece.string,
            target,
          )
        : piece.content;
    }
  }
  const prefix = target.raw ? 'r' : '';
  const kept = texts.filter((t, i) => t !== '' || i === 0);
  return { literals: kept.map((t) => `${prefix}${target.quote}${t}${target.quote}`), args };
}

/** The logging call, on one line when the print was, else one argument per line. */
function renderCall(
  context: RuleContext,
  call: Node,
  callee: string,
  rendered: { literals: string[]; args: string[] },
): string {
  const singleLine = call.startPosition.row === call.endPosition.row;
  if (singleLine || (rendered.literals.length === 1 && rendered.args.length === 0)) {
    return `${callee}(${[rendered.literals.join(' '), ...rendered.args].join(', ')})`;
  }
  const eol = lineBreak(context, call.startIndex);
  const outer = indentationAt(context.file.text, call.startIndex);
  const inner = outer + indentUnit(context);
  const lines = [rendered.literals.join(`${eol}${inner}`), ...rendered.args];
  return `${callee}(${eol}${inner}${lines.join(`,${eol}${inner}`)},${eol}${outer})`;
}

/**
 * Literal text as it must appear in the format: f-string braces unescaped, and `%` (or braces, for
 * loguru) escaped when there are arguments, since loggers only format a message that has some.
 */
function formatContent(content: string, fstring: boolean, style: FormatStyle, hasArgs: boolean) {
  const unescapeBraces = (text: string) => text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  if (style === 'percent') {
    const text = fstring ? unescapeBraces(content) : content;
    return hasArgs ? text.replace(/%/g, '%%') : text;
  }
  if (!hasArgs) return fstring ? unescapeBraces(content) : content;
  return fstring ? content : content.replace(/\{/g, '{{').replace(/\}/g, '}}');
}

/** The pieces a print writes, with its separators; undefined when they cannot be rebuilt exactly. */
function printedPieces(call: Node): Piece[] | undefined {
  const args = callArguments(call);
  // `print(x for x in xs)`: the generator is the one argument.
  if (args.node?.type === 'generator_expression')
    return [{ kind: 'value', expression: args.node.text }];
  if (!args.node || args.star.length > 0 || args.doubleStar.length > 0) return undefined;
  // Comments between the arguments would be lost.
  if (args.node.namedChildren.some((c) => c?.type === 'comment')) return undefined;
  if ([...args.keywords.keys()].some((k) => !['sep', 'end', 'file', 'flush'].includes(k)))
    return undefined;
  const end = args.keywords.get('end');
  if (end && unparenthesize(end).type !== 'none' && !isNewlineLiteral(end)) return undefined;
  const sep = args.keywords.get('sep');
  let separator: Piece[] = [{ kind: 'space' }];
  if (sep && unparenthesize(sep).type !== 'none') {
    const node = unparenthesize(sep);
    const pieces = node.type === 'string' ? stringPieces(node) : undefined;
    if (!pieces || pieces.some((p) => p.kind === 'value')) return undefined;
    separator = pieces;
  }
  const pieces: Piece[] = [];
  for (const [index, argument] of args.positional.entries()) {
    const more = argumentPieces(argument);
    if (!more) return undefined;
    if (index > 0) pieces.push(...separator);
    pieces.push(...more);
  }
  return pieces;
}

function isNewlineLiteral(node: Node): boolean {
  const value = unparenthesize(node);
  if (value.type !== 'string' || stringInfo(value)?.raw) return false;
  const content = value.namedChildren.filter(
    (c) => c?.type !== 'string_start' && c?.type !== 'string_end',
  );
  return (
    content.length === 1 && content[0]!.type === 'string_content' && content[0]!.text === '\\n'
  );
}

/** Removes a statement that is alone on its line(s), with its line break. */
function deleteStatementLine(context: RuleContext, statement: Node): TextEdit | undefined {
  const text = context.file.text;
  const lineStart =
    Math.max(
      text.lastIndexOf('\n', statement.startIndex - 1),
      text.lastIndexOf('\r', statement.startIndex - 1),
    ) + 1;
  if (text.slice(lineStart, statement.startIndex).trim() !== '') return undefined;
  let lineEnd = statement.endIndex;
  while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
  const rest = text.slice(statement.endIndex, lineEnd).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  // In a notebook the edit must stay inside the cell.
  const cell = context.file.notebook?.module.cellAt(statement.startIndex);
  const limit = cell ? cell.start + cell.source.length : text.length;
  if (lineEnd < limit) {
    const eol = text.startsWith('\r\n', lineEnd) ? 2 : 1;
    return { start: lineStart, end: lineEnd + eol, newText: '' };
  }
  const cellStart = cell ? cell.start : 0;
  if (lineStart <= cellStart) return undefined;
  const before = text[lineStart - 2] === '\r' && text[lineStart - 1] === '\n' ? 2 : 1;
  return { start: lineStart - before, end: lineEnd, newText: '' };
}

function removeEmptyPrint(context: RuleContext, call: Node): Fix[] {
  const statement = call.parent;
  if (statement?.type !== 'expression_statement' || statement.namedChildCount !== 1) return [];
  // The block must keep another statement, or removing this one would leave it empty.
  const siblings = statement.parent?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (siblings.length < 2) return [];
  const edit = deleteStatementLine(context, statement);
  if (!edit) return [];
  return [{ title: 'Remove the empty print()', safety: 'safe', edits: [edit] }];
}

/** Whether top-level code before `offset` mentions a function or class this file defines. */
function ownCodeRunsBefore(semantic: SemanticModel, offset: number): boolean {
  const defined = new Set<string>();
  for (const statement of semantic.tree.rootNode.namedChildren) {
    const name = statement ? field(definitionOf(statement), 'name')?.text : undefined;
    if (name) defined.add(name);
  }
  if (defined.size === 0) return false;
  return topLevelCalls(semantic).some(
    (call) =>
      call.startIndex < offset &&
      call.descendantsOfType('identifier').some((id) => defined.has(id.text)),
  );
}

/** Where the logger the fix uses becomes available, for code that runs at import. */
function loggerAvailableFrom(context: RuleContext, name: string, created: boolean): number {
  if (created) return setupInsertionPoint(context).offset;
  const bindings = context.semantic.bindingsOf(name, context.semantic.tree.rootNode);
  return Math.min(...bindings.map((b) => b.target.endIndex));
}

function printFixes(context: RuleContext, call: Node, stream: 'stdout' | 'stderr'): Fix[] {
  const { semantic } = context;
  const pieces = printedPieces(call);
  // The printed text cannot be rebuilt exactly (`end=""`, `*args`, a comment inside the call).
  if (!pieces) return [];
  // An empty print() only spaces out console output: it is removed, no logger needed.
  if (pieces.length === 0) return removeEmptyPrint(context, call);
  const existing = existingLoggerName(context);
  const kind = existing ? loggerKind(semantic, existing) : 'stdlib';
  // structlog and unknown loggers take their messages differently; their call is left to the author.
  if (kind !== 'stdlib' && kind !== 'loguru') return [];
  const { name, setup } = loggerSetup(context);
  // A local name that shadows the logger would receive the call.
  if (semantic.bindingsOf(name, call).some((b) => semantic.scopeId(b.target) !== -1)) return [];
  // Code that runs at import must come after the logger exists, and so must top-level code that
  // may call this file's functions (directly, or through a callback it passes).
  const availableFrom = loggerAvailableFrom(context, name, !existing);
  const tooEarly = insideDefinition(call)
    ? ownCodeRunsBefore(semantic, availableFrom)
    : call.startIndex < availableFrom;
  if (tooEarly) return [];
  // A format spec without an exact %-equivalent (`{n:,}`, `{s:^10}`) would change the text.
  const rendered = renderFormat(pieces, kind === 'loguru' ? 'brace' : 'percent');
  if (!rendered) return [];
  const level = stream === 'stderr' ? 'warning' : 'info';
  return [
    {
      title: `Replace print() with ${name}.${level}()`,
      safety: 'safe',
      edits: [
        replaceNode(call, renderCall(context, call, `${name}.${level}`, rendered)),
        ...addSetupLines(context, setup),
      ],
    },
  ];
}

/** Name words of functions whose job is to write to the console. */
const OUTPUT_WORDS = new Set([
  'print',
  'pprint',
  'pp',
  'dump',
  'show',
  'display',
  'usage',
  'help',
  'echo',
  'summary',
  'summarize',
  'describe',
  'verbose',
]);

/** Whether an enclosing function is named for printing: `print_results`, `dumpTree`, `_pp`. */
function insideOutputFunction(node: Node): boolean {
  for (
    let fn = ancestor(node, ['function_definition']);
    fn;
    fn = ancestor(fn, ['function_definition'])
  ) {
    const named = words(field(fn, 'name')?.text ?? '');
    // Whole words (`print_summary`, `_pp`) or glued ones (`vprint`, `displayhook`, `dumpstate`).
    if (named.some((w) => OUTPUT_WORDS.has(w) || /^(print|display|dump)|print$/.test(w)))
      return true;
  }
  return false;
}

/** Words of flags that turn console output on: `verbose`, `self.verbosity`, `SYMPY_DEBUG`, `disp`. */
const VERBOSITY_WORDS = new Set([
  'verbose',
  'verbosity',
  'debug',
  'debuglevel',
  'debugging',
  'trace',
  'tracing',
  'disp',
  'iprint',
  'quiet',
  'silent',
  'show',
]);

/** The lower-case words of an identifier: `self.debugLevel` → debug, level; `_trace_atn` → trace, atn. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a condition tests a verbosity flag (names, or keys as in `options.get("verbose")`). */
function mentionsVerbosity(condition: Node | null): boolean {
  const names = condition?.descendantsOfType(['identifier', 'string_content']) ?? [];
  if (condition?.type === 'identifier') names.push(condition);
  return names.some((n) => words(n.text).some((w) => VERBOSITY_WORDS.has(w)));
}

/** An early exit on a verbosity flag: `if not DEBUG: return f(*args)`. */
function isVerbosityExit(statement: Node): boolean {
  if (statement.type !== 'if_statement' || !mentionsVerbosity(field(statement, 'condition')))
    return false;
  const body = field(statement, 'consequence')?.namedChildren ?? [];
  return body.some((s) => s?.type === 'return_statement' || s?.type === 'raise_statement');
}

/**
 * Whether the print runs only when a verbosity flag is on: under `if verbose:`, or after an early
 * `if not debug: return` in its function.
 */
function gatedByVerbosity(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (['function_definition', 'lambda', 'class_definition'].includes(current.type)) {
      const body = field(current, 'body');
      const statement = body?.namedChildren.find(
        (s) => !!s && s.startIndex <= node.startIndex && node.endIndex <= s.endIndex,
      );
      return !!body?.namedChildren.some(
        (s) => !!s && !!statement && s.endIndex <= statement.startIndex && isVerbosityExit(s),
      );
    }
    if (current.type !== 'if_statement' && current.type !== 'elif_clause') continue;
    if (mentionsVerbosity(field(current, 'condition'))) return true;
  }
  return false;
}

const PROMPTS = new Set(['builtins.input', 'getpass.getpass']);

function insideDialogue(semantic: SemanticModel, node: Node): boolean {
  const fn = ancestor(node, ['function_definition']);
  const body = fn ? field(fn, 'body') : null;
  return !!body?.descendantsOfType('call').some((c) => PROMPTS.has(semantic.calleeName(c) ?? ''));
}

/** Why a print is reported, or undefined when it is not. */
function reasonToReport(
  facts: ProgramFacts,
  semantic: SemanticModel,
  call: Node,
): Reason | undefined {
  // Progress printed from a training loop is what logging is for, even in entry-point code.
  if (enclosingTrainingLoop(semantic, call, facts.trainingFunctions)) return 'training-loop';
  // The main block (or a script's top level) and what only it calls may print the results.
  if (facts.isEntry(call)) return undefined;
  // A function named for writing to the console (`print_summary`, `dump`, `show_usage`) does its job.
  if (insideOutputFunction(call)) return undefined;
  // A function that asks the user something (`input()`, `getpass()`) holds a console dialogue.
  if (insideDialogue(semantic, call)) return undefined;
  // Output the caller asked for (`if verbose:`, `if disp:`, `if self.debuglevel > 0:`) is opt-in.
  if (gatedByVerbosity(call)) return undefined;
  if (facts.modelCode) return 'model-code';
  return facts.library ? 'library' : undefined;
}

const MESSAGES: Record<Reason, (node: Node) => string> = {
  'training-loop': () =>
    '`print()` in a training loop: record progress with logger.info(), not on stdout',
  'model-code': (node) =>
    `\`print()\` ${where(node)} of code that trains, evaluates or serves a model: use logger.info()`,
  library: () =>
    '`print()` in an importable module writes into the output of every program that imports it: use a module logger',
};

export const printInsteadOfLogging = defineRule({
  code: 'MLH101',
  name: 'print-instead-of-logging',
  family: 'logging',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  relaxedInExploration: true,
  fix: 'sometimes',
  triggers: ['print'],
  docs: {
    summary:
      '`print()` where code that trains, evaluates or serves a model, or library code, should log.',
    why:
      'A training job, a batch scorer or a model server runs where nobody reads its stdout: under a ' +
      'scheduler, in a container, behind gunicorn. Printed progress has no timestamp, no level, no ' +
      'logger name and no way to be routed, filtered or silenced, so when a run goes wrong there is ' +
      'nothing to search, and stdout buffering can lose the last lines of a crashed job. In an ' +
      'importable module `print()` is worse: it writes into the output of every program that imports ' +
      'it, which cannot turn it off.',
    howToFix:
      'Log through a module logger, `logger = logging.getLogger(__name__)`, with lazy arguments ' +
      '(`logger.info("epoch %d loss %.4f", epoch, loss)`), and configure logging once in the entry ' +
      'point (see MLH104).\n\n' +
      'What is reported: prints in a training loop (a loop holding `.backward()`, ' +
      '`optimizer.step()`, `.train_on_batch()`, `.partial_fit()` or a call of a function that ' +
      'does), wherever it is; prints in the functions and methods of a program that trains, ' +
      'evaluates or serves a model (it calls `fit`/`partial_fit`/`predict`/... on a model object, ' +
      'runs `.backward()`/`optimizer.step()`, or imports Flask, FastAPI, Django, Gradio, Streamlit, ' +
      'Ray Serve, ...); and every print in an importable module: a file with no `if __name__ == ' +
      '"__main__":` block whose top level only defines things (functions, classes, constants, ' +
      'registrations) and does not call them.\n\n' +
      'What is not: entry-point code printing the results of a run, which is the code outside ' +
      'functions and classes (the main block included, or a whole flat script or notebook), the ' +
      'functions only that code calls, a function named `main` and click/typer commands. So a ' +
      "script that fits a model and prints its score, like scikit-learn's examples, is only " +
      'reported for its training loops and for helpers called from other functions. Not reported ' +
      'either: output the caller opts into (under `if verbose:`, `if self.debug:`, `if disp:`, ...), ' +
      'functions named for printing (`print_*`, `dump`, `show_*`, `display`, `describe`, ' +
      '`summary`, `usage`, `help`), functions that ask the user with `input()`/`getpass()`, ' +
      '`print(..., file=f)` to anything other than `sys.stdout`/`sys.stderr`, `print(*args, ' +
      '**kwargs)` forwarding a destination, command-line modules (`cli.py`, `*_cli.py`, `main.py`) ' +
      'and modules of a package with a `__main__.py`, which are applications rather than ' +
      'libraries, files without model code that are not libraries (plain scripts and CLIs), and ' +
      'tests. In notebooks the rule is a hint under the default exploration profile.',
    fixSafety:
      'The fix replaces the call with `logger.info(...)` (`logger.warning(...)` for ' +
      '`file=sys.stderr`, where Python shows warnings even without logging configured) and adds ' +
      '`import logging` and `logger = logging.getLogger(__name__)` once after the imports (in a ' +
      'notebook, in the cell holding them) unless a module logger already exists under any name ' +
      '(a loguru `logger` gets `{}` placeholders). The text is kept exactly: arguments become lazy ' +
      '`%s` arguments, f-strings become a %-format with the same text (`{loss:.4f}` → `%.4f`, ' +
      '`{x!r}` → `%r`, `{x=}` → `x=%r`), a literal `%` becomes `%%`, and a literal `sep=` joins the ' +
      'parts. It is withheld when the text cannot be kept (a format spec without exact ' +
      '%-equivalent such as `{n:,}` or `{s:^10}`, `end=` other than a newline, a non-literal ' +
      '`sep=`, `*args`, comments inside the call) or when the logger would be used before it is ' +
      'defined (after imports placed below code that may call the function). A multi-line print ' +
      'stays multi-line, one argument per line. An empty `print()` is removed. The fix is safe: ' +
      'the message text is unchanged; where it goes is then decided by the logging configuration.',
    options:
      '`print-allowed-in-main` (boolean, default `true`): allow entry-point code (the main block ' +
      "and a script's other top-level code, the functions only it calls, `main`, click/typer " +
      'commands) to print results. Set it to `false` to report every print in model code except ' +
      'the opt-in and console cases above.',
    examples: {
      invalid: [
        py`
          import numpy as np

          def normalize(x):
              print("normalizing", x.shape)
              return (x - x.mean()) / x.std()
        `,
        py`
          for epoch in range(10):
              loss = criterion(model(inputs), targets)
              loss.backward()
              optimizer.step()
              print(f"epoch {epoch} loss {loss.item():.4f}")
        `,
        py`
          def train(model, X, y):
              model.fit(X, y)
              print(f"train accuracy {model.score(X, y):.3f}")
              return model

          def main():
              save(train(build_model(), *load_data()))

          if __name__ == "__main__":
              main()
        `,
        py`
          from flask import Flask, request

          app = Flask(__name__)

          @app.route("/predict", methods=["POST"])
          def predict():
              print("scoring", request.json)
              return {"score": model.predict([request.json["features"]]).tolist()}
        `,
      ],
      valid: [
        py`
          from sklearn.linear_model import LogisticRegression

          def main():
              model = LogisticRegression().fit(X_train, y_train)
              print(f"accuracy: {model.score(X_test, y_test):.3f}")

          if __name__ == "__main__":
              main()
        `,
        py`
          from sklearn.datasets import load_iris
          from sklearn.tree import DecisionTreeClassifier

          X, y = load_iris(return_X_y=True)
          clf = DecisionTreeClassifier(random_state=0).fit(X, y)
          print(f"training accuracy: {clf.score(X, y):.2f}")
        `,
        py`
          def write_report(metrics, out):
              for name, value in metrics.items():
                  print(name, value, sep="\t", file=out)
        `,
        py`
          import argparse

          def count_lines(path):
              with open(path) as f:
                  return sum(1 for _ in f)

          def report(path):
              print(path, count_lines(path))

          if __name__ == "__main__":
              report(argparse.ArgumentParser().parse_args().path)
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    let facts: ProgramFacts | undefined;
    return {
      call(call) {
        // Only the builtin print, through any alias and not shadowed.
        if (semantic.calleeName(call) !== 'builtins.print') return;
        // Writing to a file or another stream is output, not logging.
        const stream = standardStream(semantic, callArguments(call).keywords.get('file'));
        if (!stream) return;
        // `print(*args, **kwargs)` forwards a caller's destination, which cannot be known here.
        if (callArguments(call).doubleStar.length > 0) return;
        facts ??= programFacts(context);
        const reason = reasonToReport(facts, semantic, call);
        if (!reason) return;
        context.report({
          node: field(call, 'function')!,
          message: MESSAGES[reason](call),
          fixes: printFixes(context, call, stream),
        });
      },
    };
  },
});
