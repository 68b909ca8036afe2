import type { Node } from 'web-tree-sitter';
import { describeLocation } from '../engine/source';
import { addSetupLines, indentUnit, indentationAt, insertAt, lineBreak } from '../fixes/edits';
import type { Binding, SemanticModel } from '../semantic/model';
import { callArguments, enclosingStatement, field, unparenthesize } from '../semantic/nodes';
import {
  freeName,
  isReference,
  lineEnd,
  pythonString,
  reachingBinding,
  standaloneStatement,
  usesOfBinding,
} from './shared/dataflow';
import {
  FLASK_DATA_ATTRIBUTES,
  REQUEST_DATA_ATTRIBUTES,
  handlersOf,
  isFlaskRequest,
  isStreamlitInput,
  type Framework,
  type Handler,
} from './shared/frameworks';
import { callLabel, shortText } from './shared/labels';
import { defineRule, py, type Fix, type RuleContext } from './types';

/** Model methods that consume inputs. */
const MODEL_METHODS = /^(predict\w*|decision_function|transform|generate|forward|infer|inference)$/;

/** Method names that are models' only in code that uses an ML library (`xslt.transform` is not). */
const GENERIC_MODEL_METHODS = new Set(['transform', 'generate', 'forward', 'infer', 'inference']);

/** Libraries whose presence makes `.transform(...)`/`.generate(...)` a model call. */
const ML_MODULES = new Set([
  'sklearn',
  'torch',
  'torchvision',
  'tensorflow',
  'keras',
  'transformers',
  'joblib',
  'onnxruntime',
  'xgboost',
  'lightgbm',
  'catboost',
  'spacy',
  'sentence_transformers',
  'diffusers',
  'vllm',
  'mlflow',
  'bentoml',
  'statsmodels',
  'jax',
  'flax',
  'gensim',
  'fastai',
  'ultralytics',
  'llama_cpp',
  'peft',
  'tflite_runtime',
]);

/** Names that hold a model, called directly: `model(x)`, `self.classifier(x)`, `nlp(text)`. */
const MODEL_NAME =
  /^(model|net|network|clf|classifier|regressor|estimator|pipe|pipeline|predictor|detector|generator|llm|nlp)$|_(model|net|clf|pipeline|pipe|classifier)$/i;

/** `load_model(...)`, `read_model(...)`, `self.build_pipeline(...)`: functions that make or handle models. */
const MODEL_HELPER =
  /^(load|read|get|build|train|create|make|init|save|fit|run|setup|compile|export|download|upload|register|select|evaluate|eval|validate|update|deploy|serve|wrap|prepare|to|as|is|has|set|reset|log)_/i;

/** Calls whose result is a model that is then called on inputs. */
const MODEL_FACTORIES = new Set([
  'transformers.pipeline',
  'spacy.load',
  'joblib.load',
  'pickle.load',
  'torch.load',
  'torch.jit.load',
  'keras.models.load_model',
  'keras.saving.load_model',
  'onnxruntime.InferenceSession',
  'sentence_transformers.SentenceTransformer',
]);

/** Conversions that carry request data on unchanged in meaning (and unchecked). */
const CONVERTERS = new Set([
  'builtins.float',
  'builtins.int',
  'builtins.str',
  'builtins.bool',
  'builtins.list',
  'builtins.dict',
  'builtins.tuple',
  'numpy.array',
  'numpy.asarray',
  'numpy.asanyarray',
  'numpy.frombuffer',
  'numpy.expand_dims',
  'numpy.stack',
  'numpy.vstack',
  'numpy.hstack',
  'numpy.concatenate',
  'pandas.DataFrame',
  'pandas.Series',
  'pandas.json_normalize',
  'pandas.DataFrame.from_dict',
  'pandas.DataFrame.from_records',
  'torch.tensor',
  'torch.Tensor',
  'torch.as_tensor',
  'torch.from_numpy',
  'torch.FloatTensor',
  'torch.LongTensor',
  'torch.stack',
  'tensorflow.constant',
  'tensorflow.convert_to_tensor',
  'json.loads',
  'orjson.loads',
  'ujson.loads',
  'base64.b64decode',
  'io.BytesIO',
  'io.StringIO',
  'PIL.Image.open',
  'cv2.imdecode',
]);

/** Builtins that convert without needing an import; resolved by name when not rebound. */
const BUILTIN_CONVERTERS = new Set(['float', 'int', 'str', 'bool', 'list', 'dict', 'tuple']);

/** Preprocessors called on inputs before the model: their output is the same input, tokenized. */
const PREPROCESSOR_NAME = /tokeni[sz]er|processor|feature_extractor|vectori[sz]er/i;

const VALIDATING_MODULES =
  /^(pydantic|marshmallow|jsonschema|cerberus|voluptuous|schema|fastjsonschema|attrs|cattrs|msgspec)\./;
const VALIDATING_NAME = /valid|sanitiz|schema|check|verify/i;

/** Request attributes that check what was sent: `if not request.is_json: abort(415)`. */
const REQUEST_CHECKS = new Set(['is_json', 'content_type', 'mimetype', 'content_length']);

/** Calls in a condition that check keys, types or sizes. */
const SHAPE_CHECKS = new Set([
  'isinstance',
  'issubclass',
  'type',
  'all',
  'any',
  'set',
  'frozenset',
  'len',
  'hasattr',
  'issubset',
  'issuperset',
  'keys',
  'isdigit',
  'isnumeric',
  'isdecimal',
  'match',
  'fullmatch',
]);
const VALIDATING_METHODS = new Set([
  'model_validate',
  'model_validate_json',
  'parse_obj',
  'parse_raw',
  'validate_python',
  'validate_json',
  'is_valid',
]);
const VALIDATED_CLASS =
  /(Schema|Model|Serializer|Form|Request|Input|Payload|Params|Query|Features|Body)$/;
const VALIDATING_DECORATOR = /valid|expects_json|use_args|use_kwargs|expect|schema|input|parser/i;
const INPUT_ERRORS =
  /^(KeyError|ValueError|TypeError|IndexError|AttributeError|\w*ValidationError|ValidationError|BadRequest\w*|HTTPException)$/;
const ABORTS =
  /^(flask\.abort|werkzeug\.exceptions\.abort|abort|sys\.exit|builtins\.exit|streamlit\.stop|st\.stop)$/;

interface Source {
  /** The highlighted node: the request read, or the parameter. */
  node: Node;
  /** How the message names it. */
  label: string;
  /** Set for parameters: the name the handler reads the data through. */
  parameter?: Node;
  /** The request read is Flask's `request` proxy. */
  flask?: boolean;
}

/** Follows an expression through the handler's assignments to the request data it carries. */
class Taint {
  private readonly memo = new Map<number, Source | null>();

  constructor(
    private readonly semantic: SemanticModel,
    private readonly handler: Handler | undefined,
    private readonly scope: number,
  ) {}

  /** The request read at the root of `expression`, when one flows into it. */
  sourceOf(expression: Node | null | undefined, depth = 0): Source | undefined {
    if (!expression || depth > 40) return undefined;
    const node = unparenthesize(expression);
    const direct = this.requestRead(node);
    if (direct) return direct;
    switch (node.type) {
      case 'identifier':
        return this.nameSource(node, depth);
      case 'keyword_argument':
        return this.sourceOf(field(node, 'value'), depth + 1);
      case 'await':
      case 'list_splat':
      case 'dictionary_splat':
      case 'pair':
      case 'interpolation':
        return this.anyChild(node, depth);
      case 'subscript':
        return this.sourceOf(field(node, 'value'), depth + 1);
      case 'attribute':
        return this.sourceOf(field(node, 'object'), depth + 1);
      case 'call':
        return this.callSource(node, depth);
      case 'list':
      case 'tuple':
      case 'set':
      case 'dictionary':
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
      case 'for_in_clause':
      case 'if_clause':
      case 'binary_operator':
      case 'unary_operator':
      case 'conditional_expression':
      case 'boolean_operator':
      case 'string':
      case 'concatenated_string':
      case 'expression_list':
        return this.anyChild(node, depth);
      default:
        return undefined;
    }
  }

  private anyChild(node: Node, depth: number): Source | undefined {
    for (const child of node.namedChildren) {
      // A comprehension's own variable is judged by what it iterates over (see `boundValue`).
      if (!child || child.type === 'comment') continue;
      const source = this.sourceOf(child, depth + 1);
      if (source) return source;
    }
    return undefined;
  }

  private callSource(call: Node, depth: number): Source | undefined {
    const fn = field(call, 'function');
    if (fn?.type === 'attribute') {
      // `data.get("age")`, `text.strip()`, `file.read()`: methods of request data are request data.
      const receiver = this.sourceOf(field(fn, 'object'), depth + 1);
      if (receiver) return receiver;
    }
    if (!this.carriesArguments(call)) return undefined;
    const args = call.childForFieldName('arguments');
    return args ? this.anyChild(args, depth) : undefined;
  }

  /** Conversions and preprocessors hand their argument on; other calls are opaque. */
  private carriesArguments(call: Node): boolean {
    const callee = this.semantic.calleeName(call);
    if (callee && CONVERTERS.has(callee)) return true;
    const fn = field(call, 'function');
    if (fn?.type === 'identifier' && BUILTIN_CONVERTERS.has(fn.text) && !callee)
      return this.semantic.bindingsOf(fn.text, fn).length === 0;
    const text = fn?.type === 'attribute' ? fn.text : (fn?.text ?? '');
    return PREPROCESSOR_NAME.test(text);
  }

  private nameSource(name: Node, depth: number): Source | undefined {
    const binding = reachingBinding(this.semantic, name);
    if (!binding) return undefined;
    if (binding.kind === 'parameter') return this.parameterSource(binding);
    const key = binding.target.id;
    if (this.memo.has(key)) return this.memo.get(key) ?? undefined;
    // Cycles (`x = f(x)` in a loop) end here as "not request data".
    this.memo.set(key, null);
    const source = this.sourceOf(boundValue(binding), depth + 1);
    this.memo.set(key, source ?? null);
    return source;
  }

  private parameterSource(binding: Binding): Source | undefined {
    const parameter = this.handler?.dataParameters.find((p) => nameOf(p)?.id === binding.target.id);
    if (!parameter) return undefined;
    return { node: parameter, label: nameOf(parameter)!.text, parameter: nameOf(parameter)! };
  }

  /** A read of request data: `request.get_json()`, `request.form`, `await request.json()`, a widget. */
  requestRead(node: Node): Source | undefined {
    if (node.type === 'call' && isStreamlitInput(this.semantic, node))
      return { node, label: callLabel(node) };
    const attribute = node.type === 'call' ? field(node, 'function') : node;
    if (attribute?.type !== 'attribute') return undefined;
    // A called read is the call; an attribute read must not be the callee of a call.
    if (
      node.type === 'attribute' &&
      node.parent?.type === 'call' &&
      field(node.parent, 'function')?.id === node.id
    )
      return undefined;
    const name = field(attribute, 'attribute')?.text ?? '';
    const object = field(attribute, 'object');
    if (FLASK_DATA_ATTRIBUTES.has(name) && isFlaskRequest(this.semantic, object))
      return { node, label: shortText(node), flask: true };
    if (!REQUEST_DATA_ATTRIBUTES.has(name) || object?.type !== 'identifier') return undefined;
    const binding = reachingBinding(this.semantic, object);
    const isRequest = this.handler?.requestParameters.some((p) => p.id === binding?.target.id);
    return isRequest ? { node, label: shortText(node) } : undefined;
  }

  /**
   * Whether an expression looks at request data: a name or read that carries it, or the request's
   * own content checks (`request.is_json`), following names bound to such expressions.
   */
  mentions(expression: Node, depth = 0): boolean {
    if (this.sourceOf(expression)) return true;
    for (const id of expression.descendantsOfType('identifier')) {
      const parent = id.parent;
      const attribute =
        parent?.type === 'attribute' && field(parent, 'object')?.id === id.id
          ? field(parent, 'attribute')?.text
          : undefined;
      const binding = reachingBinding(this.semantic, id);
      const isRequest =
        isFlaskRequest(this.semantic, id) ||
        (!!binding && !!this.handler?.requestParameters.some((p) => p.id === binding.target.id));
      if (isRequest && attribute && REQUEST_CHECKS.has(attribute)) return true;
      if (!binding || isRequest) continue;
      if (this.sourceOf(id)) return true;
      // `missing = [k for k in KEYS if k not in data]` then `if missing:`.
      const value = boundValue(binding);
      if (
        depth < 2 &&
        value &&
        this.semantic.scopeId(value) === this.scope &&
        this.mentions(value, depth + 1)
      )
        return true;
    }
    return false;
  }
}

/**
 * Whether a condition checks keys, types or ranges (`"age" in data`, `isinstance(...)`, `x > 0`,
 * `all(...)`), not just truthiness; names bound to such expressions count too.
 */
function checksShape(semantic: SemanticModel, expression: Node, depth = 0): boolean {
  // Equality (`kind == "a"`) dispatches on a value; membership, identity and order check it.
  const comparisons = [
    ...(expression.type === 'comparison_operator' ? [expression] : []),
    ...expression.descendantsOfType('comparison_operator'),
  ];
  const checking = comparisons.some((c) =>
    c.childrenForFieldName('operators').some((op) => !/^(==|!=)$/.test(op.text)),
  );
  if (checking) return true;
  for (const call of expression.descendantsOfType('call')) {
    const fn = field(call, 'function');
    const name = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.text;
    if (name && SHAPE_CHECKS.has(name)) return true;
  }
  if (depth >= 2) return false;
  return expression.descendantsOfType('identifier').some((id) => {
    const binding = isReference(id) ? reachingBinding(semantic, id) : undefined;
    const value = binding ? boundValue(binding) : undefined;
    return !!value && checksShape(semantic, value, depth + 1);
  });
}

/** The branches of an `if`: its block, and each `elif`/`else` clause. */
function branchesOf(statement: Node): Node[] {
  const consequence = field(statement, 'consequence');
  return [...(consequence ? [consequence] : []), ...statement.childrenForFieldName('alternative')];
}

const contains = (outer: Node, inner: Node) =>
  outer.startIndex <= inner.startIndex && outer.endIndex >= inner.endIndex;

function nameOf(parameter: Node): Node | null {
  if (parameter.type === 'identifier') return parameter;
  if (parameter.type === 'typed_parameter') return parameter.namedChild(0);
  return field(parameter, 'name');
}

/** The expression a binding takes its value from: `x = v`, `a, b = v`, `for x in v`, `(x := v)`. */
function boundValue(binding: Binding): Node | undefined {
  if (binding.value) return binding.value;
  let top = binding.target;
  while (
    top.parent &&
    [
      'pattern_list',
      'tuple_pattern',
      'list_pattern',
      'tuple',
      'list',
      'parenthesized_expression',
    ].includes(top.parent.type)
  )
    top = top.parent;
  const owner = top.parent;
  if (!owner) return undefined;
  if (
    owner.type === 'assignment' ||
    owner.type === 'for_statement' ||
    owner.type === 'for_in_clause'
  )
    return field(owner, 'right') ?? undefined;
  if (owner.type === 'named_expression') return field(owner, 'value') ?? undefined;
  return undefined;
}

/** Whether a call runs a model: `.predict(...)`, `model(...)`, a loaded pipeline called on input. */
function isModelCall(semantic: SemanticModel, call: Node, usesMl: boolean): boolean {
  const fn = field(call, 'function');
  if (!fn) return false;
  if (fn.type === 'attribute') {
    const method = field(fn, 'attribute')?.text ?? '';
    if (MODEL_METHODS.test(method)) {
      if (!GENERIC_MODEL_METHODS.has(method) || usesMl) return true;
      // Without an ML import, only a receiver named like a model makes `.generate()` a model call.
      const receiver = field(fn, 'object');
      const name =
        receiver?.type === 'attribute' ? field(receiver, 'attribute')?.text : receiver?.text;
      return !!name && MODEL_NAME.test(name);
    }
    // `self.model(x)`, `app.state.classifier(x)`.
    return MODEL_NAME.test(method) && !MODEL_HELPER.test(method);
  }
  if (fn.type !== 'identifier') return false;
  // A function defined here is code, not a model object.
  if (semantic.singleBinding(fn)?.kind === 'definition') return false;
  if (MODEL_NAME.test(fn.text) && !MODEL_HELPER.test(fn.text)) return true;
  const value = semantic.followName(fn);
  if (value.type !== 'call') return false;
  const callee = semantic.calleeName(value);
  return (
    (!!callee && MODEL_FACTORIES.has(callee)) ||
    ['from_pretrained', 'load_model'].includes(semantic.methodName(value) ?? '')
  );
}

function isValidatingCall(semantic: SemanticModel, call: Node, taint: Taint): boolean {
  const args = callArguments(call);
  const carriesData =
    args.positional.some((a) => taint.sourceOf(a)) ||
    [...args.keywords.values()].some((a) => taint.sourceOf(a)) ||
    args.doubleStar.some((a) => taint.sourceOf(a)) ||
    args.star.some((a) => taint.sourceOf(a));
  if (!carriesData) return false;
  const callee = semantic.calleeName(call) ?? '';
  if (VALIDATING_MODULES.test(callee)) return true;
  if (CONVERTERS.has(callee)) return false;
  const fn = field(call, 'function');
  const name = fn?.type === 'attribute' ? (field(fn, 'attribute')?.text ?? '') : (fn?.text ?? '');
  if (VALIDATING_METHODS.has(name) || VALIDATING_NAME.test(name)) return true;
  // marshmallow: `schema.load(data)`.
  if (
    name === 'load' &&
    fn?.type === 'attribute' &&
    /schema/i.test(field(fn, 'object')?.text ?? '')
  )
    return true;
  // `Item(**data)`, `ItemSerializer(data=request.data)`, `PredictRequest(payload)`: a class built
  // from the data checks it.
  const last = name.split('.').pop() ?? '';
  if (/^[A-Z]/.test(last)) {
    if (args.doubleStar.some((a) => taint.sourceOf(a))) return true;
    if (args.keywords.has('data') && taint.sourceOf(args.keywords.get('data'))) return true;
    if (VALIDATED_CLASS.test(last)) return true;
  }
  return false;
}

/** Statements inside `node` that stop the request (raise, abort, return, st.stop), not containing `sink`. */
function stops(semantic: SemanticModel, node: Node, sink: Node): boolean {
  for (const statement of node.descendantsOfType(['raise_statement', 'return_statement'])) {
    if (!contains(statement, sink)) return true;
  }
  return node.descendantsOfType('call').some((call) => {
    if (contains(call, sink)) return false;
    const callee = semantic.calleeName(call) ?? field(call, 'function')?.text ?? '';
    return ABORTS.test(callee);
  });
}

function caughtNames(clause: Node): string[] {
  const value = clause.namedChildren.find((c) => c && c.type !== 'block' && c.type !== 'comment');
  if (!value) return [];
  const inner = value.type === 'as_pattern' ? value.namedChild(0)! : value;
  const list =
    unparenthesize(inner).type === 'tuple' ? unparenthesize(inner).namedChildren : [inner];
  return list.filter((n): n is Node => !!n).map((n) => n.text.split('.').pop() ?? '');
}

/** Whether the handler checks its input before `sink`: validators, guarded branches, narrow excepts. */
function validatedBefore(semantic: SemanticModel, scope: Node, sink: Node, taint: Taint): boolean {
  for (const call of scope.descendantsOfType('call')) {
    if (call.startIndex >= sink.startIndex) break;
    if (semantic.scopeId(call) !== semantic.scopeId(sink)) continue;
    if (isValidatingCall(semantic, call, taint)) return true;
  }
  for (const check of scope.descendantsOfType([
    'if_statement',
    'assert_statement',
    'try_statement',
  ])) {
    if (check.startIndex >= sink.startIndex) break;
    if (semantic.scopeId(check) !== semantic.scopeId(sink)) continue;
    if (check.type === 'assert_statement') {
      if (taint.mentions(check) && checksShape(semantic, check)) return true;
      continue;
    }
    if (check.type === 'if_statement') {
      const conditions = [
        field(check, 'condition'),
        ...check.childrenForFieldName('alternative').map((a) => field(a, 'condition')),
      ].filter((c): c is Node => !!c);
      // Only conditions that check the data's keys, types or ranges.
      if (!conditions.some((c) => taint.mentions(c) && checksShape(semantic, c))) continue;
      // The model call runs only on one side of the check, or the other side stops the request.
      const branches = branchesOf(check);
      if (branches.some((branch) => contains(branch, sink))) return true;
      if (branches.some((branch) => stops(semantic, branch, sink))) return true;
      continue;
    }
    // `try: x = data["age"] except KeyError: abort(400)`.
    const body = field(check, 'body');
    const covers = !!body && body.startIndex <= sink.startIndex && body.endIndex >= sink.endIndex;
    const readsData =
      !!body && body.descendantsOfType(['subscript', 'call']).some((n) => taint.sourceOf(n));
    if (!covers && !readsData) continue;
    for (const clause of check.namedChildren) {
      if (clause?.type !== 'except_clause') continue;
      if (caughtNames(clause).some((n) => INPUT_ERRORS.test(n)) && stops(semantic, clause, sink))
        return true;
    }
  }
  return false;
}

function hasValidatingDecorator(semantic: SemanticModel, definition: Node): boolean {
  const decorated = definition.parent;
  if (decorated?.type !== 'decorated_definition') return false;
  return decorated.namedChildren.some((decorator) => {
    if (decorator?.type !== 'decorator') return false;
    const expression = decorator.namedChild(0);
    const target = expression?.type === 'call' ? field(expression, 'function') : expression;
    const name =
      target?.type === 'attribute'
        ? (field(target, 'attribute')?.text ?? '')
        : (target?.text ?? '');
    if (VALIDATING_DECORATOR.test(name)) return true;
    // flask-restx/flask-smorest: `@ns.expect(model, validate=True)`, `@blp.arguments(Schema)`.
    return (
      expression?.type === 'call' &&
      callArguments(expression).keywords.get('validate')?.type === 'true'
    );
  });
}

/** The keys the handler reads from the name bound to the request data: `data["age"]`, `data.get("age")`. */
function keysRead(semantic: SemanticModel, target: Node): string[] {
  const keys: string[] = [];
  for (const use of usesOfBinding(semantic, target)) {
    const parent = use.parent;
    let key: string | undefined;
    if (parent?.type === 'subscript' && field(parent, 'value')?.id === use.id) {
      const assigned =
        parent.parent?.type === 'assignment' && field(parent.parent, 'left')?.id === parent.id;
      const index = parent.childrenForFieldName('subscript');
      if (!assigned && index.length === 1) key = semantic.stringLiteral(index[0]);
    } else if (parent?.type === 'attribute' && field(parent, 'object')?.id === use.id) {
      const call = parent.parent;
      const args = call?.type === 'call' ? callArguments(call) : undefined;
      // `.get("age")` without a default: a missing key silently becomes None.
      if (
        field(parent, 'attribute')?.text === 'get' &&
        args?.positional.length === 1 &&
        args.keywords.size === 0
      )
        key = semantic.stringLiteral(args.positional[0]);
    }
    if (key !== undefined && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Where the guard goes and which name it checks. */
function guardSite(
  context: RuleContext,
  source: Source,
): { offset: number; indent: string; name: Node; at: Node; leadingBreak: boolean } | undefined {
  const text = context.file.text;
  if (source.parameter) {
    const definition = source.node.parent?.parent;
    const body = definition?.type === 'function_definition' ? field(definition, 'body') : null;
    const statements =
      body?.namedChildren.filter((s): s is Node => !!s && s.type !== 'comment') ?? [];
    if (
      !body ||
      statements.length === 0 ||
      body.startPosition.row === definition!.startPosition.row
    )
      return undefined;
    const docstring =
      statements[0].type === 'expression_statement' &&
      statements[0].namedChild(0)?.type === 'string';
    const first = docstring ? statements[1] : statements[0];
    if (!first) return undefined;
    if (docstring) {
      return {
        offset: lineEnd(text, statements[0].endIndex),
        indent: indentationAt(text, statements[0].startIndex),
        name: source.parameter,
        at: first,
        leadingBreak: true,
      };
    }
    return {
      offset: first.startIndex,
      indent: indentationAt(text, first.startIndex),
      name: source.parameter,
      at: first,
      leadingBreak: false,
    };
  }
  let value = source.node;
  while (value.parent?.type === 'await' || value.parent?.type === 'parenthesized_expression')
    value = value.parent;
  const assignment = value.parent;
  if (assignment?.type !== 'assignment' || field(assignment, 'right')?.id !== value.id)
    return undefined;
  const target = field(assignment, 'left');
  const statement = enclosingStatement(assignment);
  if (target?.type !== 'identifier' || statement.namedChild(0)?.id !== assignment.id)
    return undefined;
  if (!standaloneStatement(text, statement)) return undefined;
  return {
    offset: lineEnd(text, statement.endIndex),
    indent: indentationAt(text, statement.startIndex),
    name: target,
    at: statement,
    leadingBreak: true,
  };
}

/** Whether `name` is free or already means one of `qualified` where the guard goes. */
function importState(
  semantic: SemanticModel,
  name: string,
  at: Node,
  qualified: string[],
): 'bound' | 'free' | 'taken' {
  const bindings = semantic.bindingsOf(name, at);
  if (bindings.length === 0) return 'free';
  return bindings.every((b) => b.kind === 'import' && qualified.includes(b.qualifiedName ?? ''))
    ? 'bound'
    : 'taken';
}

function guardFix(context: RuleContext, framework: Framework, source: Source): Fix[] {
  const { semantic } = context;
  const flask = framework === 'flask' && !!source.flask;
  const fastapi = framework === 'fastapi' && !source.flask;
  // Only frameworks where answering 400 from inside the handler is the idiom.
  if (!flask && !fastapi) return [];
  const site = guardSite(context, source);
  if (!site) return [];
  const keys = keysRead(semantic, site.name);
  // Without keys read by name there is nothing to check for.
  if (keys.length === 0) return [];
  const [helper, qualified, module] = flask
    ? ['abort', ['flask.abort', 'werkzeug.exceptions.abort'], 'flask']
    : ['HTTPException', ['fastapi.HTTPException', 'starlette.exceptions.HTTPException'], 'fastapi'];
  const state = importState(semantic, helper, site.at, qualified);
  if (state === 'taken') return [];
  const missing = freeName(semantic, site.at, ['missing', 'missing_fields']);
  const silent =
    source.node.type === 'call' &&
    callArguments(source.node).keywords.get('silent')?.type === 'true';
  const container = silent ? `(${site.name.text} or {})` : site.name.text;
  const tuple = `(${keys.map(pythonString).join(', ')}${keys.length === 1 ? ',' : ''})`;
  const unit = indentUnit(context);
  const eol = lineBreak(context, site.offset);
  const stop = flask
    ? `abort(400, f"missing fields: {${missing}}")`
    : `raise HTTPException(status_code=400, detail=f"missing fields: {${missing}}")`;
  const lines = [
    `${missing} = [k for k in ${tuple} if k not in ${container}]`,
    `if ${missing}:`,
    `${unit}${stop}`,
  ];
  const body = site.leadingBreak
    ? lines.map((line) => `${eol}${site.indent}${line}`).join('')
    : lines.map((line, i) => `${i === 0 ? '' : site.indent}${line}${eol}`).join('') + site.indent;
  const edits = [insertAt(site.offset, body)];
  if (state === 'free') edits.push(...addSetupLines(context, [`from ${module} import ${helper}`]));
  return [
    {
      title: `Answer 400 when ${keys.length === 1 ? 'the field' : 'fields'} ${keys.map((k) => `"${k}"`).join(', ')} ${keys.length === 1 ? 'is' : 'are'} missing`,
      safety: 'unsafe',
      edits,
    },
  ];
}

const HTTP_FRAMEWORKS = new Set<Framework>([
  'flask',
  'fastapi',
  'django',
  'starlette',
  'ray-serve',
]);

export const unvalidatedRequestInput = defineRule({
  code: 'MLH303',
  name: 'unvalidated-request-input',
  family: 'inputs',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  fix: 'sometimes',
  triggers: ['request', 'fastapi', 'starlette', 'gradio', 'streamlit', 'serve'],
  docs: {
    summary: 'Request or user input reaches a model call without being validated.',
    why:
      'A serving endpoint that passes `request.json` straight into `model.predict` trusts every ' +
      'client: a missing field becomes a `KeyError` and a 500, a string where a number belongs is ' +
      'coerced or crashes deep inside the model, and an extra or reordered feature is silently ' +
      'scored as something else. Bad input then shows up as wrong predictions or outages instead of ' +
      'a clear 400 for the caller, and oversized or malformed payloads reach native model code.',
    howToFix:
      'Validate at the boundary: type the body with a pydantic model (FastAPI does the rest), build ' +
      'one from the payload (`Features(**data)`, `Features.model_validate(data)`), load it with a ' +
      'marshmallow schema or check it with `jsonschema.validate`, or check the keys and types ' +
      'yourself and answer 400 (`abort(400)`, `raise HTTPException(status_code=400)`). The finding ' +
      'sits on the request read (or the handler parameter): that is where the data enters and where ' +
      'the check belongs; the message names the model call it reaches. Handlers of Flask, FastAPI, ' +
      'Django/DRF, Starlette and Ray Serve, Gradio callbacks and Streamlit inputs are recognised.',
    fixSafety:
      'For Flask and FastAPI handlers that read fields by name (`data["age"]`, `data.get("age")`), ' +
      'the fix inserts right after the request read a guard that answers HTTP 400 listing the ' +
      'missing fields, adding `from flask import abort` or `from fastapi import HTTPException` when ' +
      'needed. It is unsafe: requests that used to get a response (or a 500) now get a 400, which ' +
      'clients may notice. It checks presence only; types still need a schema.',
    examples: {
      invalid: [
        py`
          from flask import Flask, jsonify, request

          app = Flask(__name__)

          @app.post("/predict")
          def predict():
              data = request.get_json()
              features = [[data["age"], data["income"]]]
              return jsonify(prediction=model.predict(features).tolist())
        `,
        py`
          from fastapi import FastAPI

          app = FastAPI()

          @app.post("/predict")
          def predict(payload: dict):
              return {"score": float(model.predict_proba([[payload["age"]]])[0, 1])}
        `,
      ],
      valid: [
        py`
          from fastapi import FastAPI
          from pydantic import BaseModel

          class Features(BaseModel):
              age: int
              income: float

          app = FastAPI()

          @app.post("/predict")
          def predict(features: Features):
              return {"score": float(model.predict([[features.age, features.income]])[0])}
        `,
        py`
          from flask import Flask, abort, request

          app = Flask(__name__)

          @app.post("/predict")
          def predict():
              data = request.get_json()
              if not isinstance(data, dict) or "age" not in data:
                  abort(400, "age is required")
              return {"prediction": model.predict([[data["age"]]]).tolist()}
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    const handlers = handlersOf(semantic);
    const reported = new Set<number>();
    const usesMl = semantic.imports.some((b) =>
      ML_MODULES.has((b.qualifiedName ?? '').split('.')[0]),
    );
    const scopeNode = (scope: number): Node =>
      scope === -1
        ? semantic.tree.rootNode
        : (handlers.get(scope)?.definition ?? findScope(semantic, scope) ?? semantic.tree.rootNode);

    return {
      call(call) {
        // Only model calls: `.predict*`, `.transform`, `.generate`, `model(...)`, a loaded pipeline.
        if (!isModelCall(semantic, call, usesMl)) return;
        const scope = semantic.scopeId(call);
        // One finding per handler: the first unvalidated flow is enough to act on.
        if (reported.has(scope)) return;
        const handler = handlers.get(scope);
        const taint = new Taint(semantic, handler, scope);
        const args = callArguments(call);
        const inputs = [
          ...args.positional,
          ...args.keywords.values(),
          ...args.star,
          ...args.doubleStar,
        ];
        const source = inputs.map((a) => taint.sourceOf(a)).find((s) => !!s);
        // Only calls that receive request data or user input.
        if (!source) return;
        const owner = scopeNode(scope);
        // Validation decorators (flask-pydantic, webargs, flask-expects-json) check before the body runs.
        if (owner.type === 'function_definition' && hasValidatingDecorator(semantic, owner)) return;
        // A validator, a guarded abort or a narrow except before the model call covers it.
        if (validatedBefore(semantic, owner, call, taint)) return;
        reported.add(scope);
        const framework: Framework = source.flask ? 'flask' : (handler?.framework ?? 'streamlit');
        const http = HTTP_FRAMEWORKS.has(framework);
        const sameLine = source.node.startPosition.row === call.startPosition.row;
        const where = sameLine ? '' : ` (${describeLocation(context.file, call.startIndex)})`;
        const advice = http
          ? 'check it with a schema or reject bad input with a 400'
          : 'check it before it reaches the model';
        context.report({
          node: source.node,
          message: `${http ? 'Request data' : 'User input'} \`${source.label}\` reaches \`${callLabel(call)}\`${where} without validation; ${advice}`,
          fixes: guardFix(context, framework, source),
        });
      },
    };
  },
});

function findScope(semantic: SemanticModel, scope: number): Node | undefined {
  for (const type of ['function_definition', 'lambda', 'class_definition']) {
    const found = semantic.nodes(type).find((n) => n.id === scope);
    if (found) return found;
  }
  return undefined;
}
