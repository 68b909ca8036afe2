import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  importLines,
  indentationAt,
  insertAt,
  lineBreak,
  replaceNode,
} from '../fixes/edits';
import { dirname, resolve } from 'node:path';
import {
  renderValue,
  type PathPart,
  type ResolvedValue,
  type SemanticModel,
} from '../semantic/model';
import { callArguments, enclosingStatement, field, unparenthesize } from '../semantic/nodes';
import { dvcFiles, isDvcOutput, type DvcFile } from './shared/dvc';
import { defineRule, py, type Fix, type RuleContext, type TextEdit, type Visitors } from './types';

interface SaveApi {
  /** Position of the destination argument, and the keywords it goes by across libraries. */
  position: number;
  keywords: readonly string[];
  /** Generic serializers save anything; they count only when the object or file looks like a model. */
  generic?: boolean;
}

const FUNCTION_SAVES: Record<string, SaveApi> = {
  // torch.save writes datasets, tensors and embeddings as readily as models.
  'torch.save': { position: 1, keywords: ['f'], generic: true },
  'joblib.dump': { position: 1, keywords: ['filename'], generic: true },
  'pickle.dump': { position: 1, keywords: ['file'], generic: true },
  'cloudpickle.dump': { position: 1, keywords: ['file'], generic: true },
  'dill.dump': { position: 1, keywords: ['file'], generic: true },
  'keras.models.save_model': { position: 1, keywords: ['filepath'] },
  'keras.saving.save_model': { position: 1, keywords: ['filepath'] },
  'tensorflow.saved_model.save': { position: 1, keywords: ['export_dir'] },
  'torch.onnx.export': { position: 2, keywords: ['f'] },
  'safetensors.torch.save_file': { position: 1, keywords: ['filename'] },
  'safetensors.numpy.save_file': { position: 1, keywords: ['filename'] },
  'safetensors.flax.save_file': { position: 1, keywords: ['filename'] },
  'safetensors.tensorflow.save_file': { position: 1, keywords: ['filename'] },
  'safetensors.paddle.save_file': { position: 1, keywords: ['filename'] },
  'torch.jit.save': { position: 1, keywords: ['f'] },
  'skops.io.dump': { position: 1, keywords: ['file'] },
};

/** A table entry by name; names such as `constructor` are not entries. */
function ownEntry<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

const MLFLOW_SAVE = /^mlflow\.\w+\.save_model$/;

const METHOD_SAVES: Record<string, SaveApi> = {
  save_pretrained: { position: 0, keywords: ['save_directory'] },
  save_weights: { position: 0, keywords: ['filepath'] },
  // xgboost and CatBoost say `fname`, LightGBM `filename`, the Hugging Face Trainer `output_dir`.
  save_model: { position: 0, keywords: ['fname', 'filename', 'output_dir'] },
  // Lightning's `trainer.save_checkpoint(path)`.
  save_checkpoint: { position: 0, keywords: ['filepath'] },
  save: { position: 0, keywords: ['filepath'], generic: true },
};

/** Name tokens that say a value is a model, a part of one, or a checkpoint of one. */
const MODEL_TOKENS = new Set([
  'model',
  'models',
  'net',
  'network',
  'clf',
  'classifier',
  'regressor',
  'estimator',
  'pipeline',
  'pipe',
  'learner',
  'learn',
  'booster',
  'checkpoint',
  'ckpt',
  'weights',
  'encoder',
  'decoder',
  'tokenizer',
  'vectorizer',
  'keras',
  'xgb',
  'lgbm',
  'svm',
  'forest',
  'backbone',
  'transformer',
  'bert',
]);
/** Words before `weights` that make it data rather than parameters: `class_weights`. */
const DATA_WEIGHTS = new Set(['class', 'sample', 'loss', 'feature', 'attention', 'attn', 'label']);
/** Last tokens that make a model-named value something about a model: `model_card`, `pipeline_report`. */
const NOT_A_MODEL = new Set([
  'card',
  'config',
  'cfg',
  'report',
  'summary',
  'metrics',
  'scores',
  'results',
  'history',
  'names',
  'features',
  'params',
  'args',
  'dataset',
  'data',
  'info',
  'metadata',
  'path',
  'dir',
  'file',
  'name',
]);
/** Files a model is saved as; `.json` only counts for booster `save_model`, not a generic save. */
const MODEL_EXTENSION =
  /\.(pt|pth|ckpt|h5|hdf5|keras|tf|pkl|pickle|joblib|onnx|safetensors|bin|model|tflite|pb|skops|cbm|ubj)(\.(gz|bz2|xz|lzma|z))?$/i;

/** The words of an identifier or dotted name: `self.bestModel_v2` → self, best, model, v, 2. */
function nameTokens(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a name says model: a model word in it (`resnet` ends in `net`), not ending in `card` and the like. */
function isModelName(text: string): boolean {
  const tokens = nameTokens(text);
  if (tokens.length === 0 || NOT_A_MODEL.has(tokens[tokens.length - 1])) return false;
  return tokens.some(
    (token, i) =>
      (MODEL_TOKENS.has(token) && !(token === 'weights' && DATA_WEIGHTS.has(tokens[i - 1]))) ||
      (token.length >= 4 && token.endsWith('net')),
  );
}

/** Functions that return what their name says: `build_model()`, `make_pipeline()`. */
const BUILDER = /^(get|build|create|make|load|init|train|fit)_/;

/** The stem of the file a path names: `out/churn_model.joblib` → `churn_model`. */
function fileStem(path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '');
}

/**
 * Whether the saved object is a model: a model-like name, a `.state_dict()`, an estimator built or
 * fitted in place (`rf = RandomForestClassifier()`), a copy or an item of one, or a checkpoint dict
 * with model or optimizer keys.
 */
function isModelObject(
  semantic: SemanticModel,
  expression: Node | null | undefined,
  depth = 0,
): boolean {
  if (!expression || depth > 4) return false;
  const node = unparenthesize(expression);
  if (node.type === 'identifier' || node.type === 'attribute') {
    if (isModelName(node.text)) return true;
    const value = node.type === 'identifier' ? semantic.valueOf(node) : undefined;
    return !!value && isModelObject(semantic, value, depth + 1);
  }
  if (node.type === 'call') {
    const fn = field(node, 'function');
    const name = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.text;
    if (name === 'state_dict') return true;
    // `copy.deepcopy(model.state_dict())` is a copy of what it is given.
    if (name === 'deepcopy')
      return isModelObject(semantic, callArguments(node).positional[0], depth + 1);
    // `LogisticRegression().fit(X, y)` returns the estimator it was called on.
    if (name === 'fit' && fn?.type === 'attribute')
      return isModelObject(semantic, field(fn, 'object'), depth + 1);
    // A class built in place (`RandomForestClassifier()`) or a builder (`make_pipeline(...)`).
    return !!name && (/^[A-Z]/.test(name) || BUILDER.test(name)) && isModelName(name);
  }
  // `models[best]` is one of the models.
  if (node.type === 'subscript') return isModelObject(semantic, field(node, 'value'), depth + 1);
  if (node.type === 'dictionary') {
    return node.namedChildren.some((pair) => {
      if (pair?.type !== 'pair') return false;
      const key = semantic.stringLiteral(field(pair, 'key')) ?? '';
      return /optim|state_dict/i.test(key) || isModelName(key);
    });
  }
  return false;
}

/** A version already written into the literal: `v2`, a date, `1.4.0`, a TF-Serving `/<n>` dir. */
const LITERAL_VERSION = /(^|[^a-z])v\d+|\d{8}|\d+\.\d+\.\d+|[\\/]\d+[\\/]?$/i;
/**
 * Words that make a name a version component even when it holds a constant: `MODEL_VERSION`,
 * `git_sha`, `epoch`, `global_step`, `run_id`, `timestamp`, `uuid`.
 */
const VERSION_WORDS = new Set([
  'version',
  'ver',
  'v',
  'rev',
  'revision',
  'release',
  'sha',
  'commit',
  'git',
  'hash',
  'digest',
  'uuid',
  'guid',
  'epoch',
  'step',
  'iter',
  'iteration',
  'timestamp',
  'stamp',
  'ts',
  'date',
  'datetime',
  'now',
]);
/** Two-word version components: `run_id`, `runName`. */
const VERSION_PAIRS = new Set(['run id', 'run name', 'build id', 'job id', 'trial id']);

function isVersionName(text: string): boolean {
  const tokens = nameTokens(text);
  if (/version/i.test(text) || tokens.some((token) => VERSION_WORDS.has(token))) return true;
  return tokens.some((token, i) => VERSION_PAIRS.has(`${token} ${tokens[i + 1]}`));
}
/** Calls that build a path from their arguments, the last one being the file name. */
const PATH_BUILDERS = new Set([
  'os.path.join',
  'posixpath.join',
  'pathlib.Path',
  'pathlib.PurePath',
  'builtins.str',
  'os.fspath',
]);

const REGISTRATION_FUNCTIONS =
  /^(mlflow(\.\w+)?\.(log_model|log_artifacts?|register_model)|wandb\.(log_artifact|Artifact|save|log_model|link_model)|huggingface_hub\.(upload_file|upload_folder|create_commit)|neptune\..*upload.*|clearml\..*upload.*|comet_ml\..*log_model)$/;
const REGISTRATION_METHODS = new Set([
  'log_artifact',
  'log_artifacts',
  'log_model',
  'push_to_hub',
  'upload_artifact',
  'register_model',
  'add_file',
  'add_dir',
  'upload',
  'upload_folder',
  'update_weights',
  'update_weights_package',
  'log_remote_model',
  'link_model',
]);

/** The path a file object was opened with: `open(p, "wb")`, directly or through `with ... as f`. */
function openedPath(semantic: SemanticModel, expression: Node): Node | undefined {
  let node = unparenthesize(expression);
  if (node.type === 'identifier') {
    const binding = semantic.singleBinding(node);
    const target = binding?.target.parent;
    if (binding?.kind === 'assign' && binding.value) node = unparenthesize(binding.value);
    else if (target?.type === 'as_pattern_target' && target.parent?.type === 'as_pattern')
      node = target.parent.namedChild(0)!;
  }
  if (node.type === 'call' && semantic.calleeName(node) === 'builtins.open')
    return callArguments(node).positional[0];
  return undefined;
}

function isRegistration(
  semantic: SemanticModel,
  call: Node,
  trackingCalls: readonly string[],
): boolean {
  const callee = semantic.calleeName(call);
  if (callee && REGISTRATION_FUNCTIONS.test(callee)) return true;
  const method = semantic.methodName(call);
  if (method && REGISTRATION_METHODS.has(method)) return true;
  // Configured names match the qualified callee, its last segment, a plain function or a method.
  const fn = field(call, 'function');
  const names = [callee, callee?.split('.').pop(), fn?.type === 'identifier' ? fn.text : method];
  return names.some((name) => !!name && trackingCalls.includes(name));
}

/** Whether the destination, or a value it is built from, is named as a version (`f"m-{VERSION}.pt"`). */
function mentionsVersion(semantic: SemanticModel, expression: Node, depth = 0): boolean {
  if (depth > 4) return false;
  for (const name of [expression, ...expression.descendantsOfType('identifier')]) {
    if (name?.type !== 'identifier') continue;
    // Attribute and keyword names (`os.path`, `f(version=...)`) are not values of the path.
    if (name.parent?.type === 'attribute' && field(name.parent, 'attribute')?.id === name.id)
      continue;
    if (name.parent?.type === 'keyword_argument' && field(name.parent, 'name')?.id === name.id)
      continue;
    if (isVersionName(name.text)) return true;
    const value = semantic.valueOf(name);
    if (value && mentionsVersion(semantic, value, depth + 1)) return true;
  }
  return false;
}

/** Path builders the destination resolver follows, and whether they build a `pathlib` path. */
const JOINS: Record<string, boolean> = {
  'os.path.join': false,
  'posixpath.join': false,
  'pathlib.Path': true,
  'pathlib.PurePath': true,
  'pathlib.PosixPath': true,
  'pathlib.WindowsPath': true,
};
/** Calls that hand back the path they are given. */
const SAME_PATH = new Set([
  'builtins.str',
  'os.fspath',
  'os.path.abspath',
  'os.path.normpath',
  'os.path.expanduser',
]);

const holeAt = (node: Node): ResolvedValue => ({ parts: [{ kind: 'hole', node }], isPath: false });

function concatValues(values: ResolvedValue[], isPath = false): ResolvedValue {
  return { parts: values.flatMap((v) => v.parts), isPath: isPath || values.some((v) => v.isPath) };
}

/** `os.path.join` semantics: separators between parts, an absolute part restarts the path. */
function joinValues(values: ResolvedValue[], node: Node, isPath: boolean): ResolvedValue {
  let start = 0;
  values.forEach((value, i) => {
    const first = value.parts[0];
    if (i > 0 && first?.kind === 'literal' && first.text.startsWith('/')) start = i;
  });
  const kept = values.slice(start);
  const parts: PathPart[] = [];
  kept.forEach((value, i) => {
    parts.push(...value.parts);
    const last = value.parts[value.parts.length - 1];
    const endsWithSlash = last?.kind === 'literal' && /[\\/]$/.test(last.text);
    if (i < kept.length - 1 && !endsWithSlash) parts.push({ kind: 'literal', text: '/', node });
  });
  return { parts, isPath };
}

/**
 * The destination as literal parts and holes, like `SemanticModel.resolveValue`, and also through
 * `"model-{}.pt".format(x)` and `"model_%d.pt" % x` formatting, inside path joins too.
 */
function resolveDestination(
  semantic: SemanticModel,
  expression: Node | null | undefined,
  depth = 0,
): ResolvedValue | undefined {
  if (!expression || depth > 12) return undefined;
  const node = unparenthesize(expression);
  const resolve = (child: Node | null | undefined) =>
    resolveDestination(semantic, child, depth + 1);
  if (node.type === 'identifier') {
    const value = semantic.valueOf(node);
    return (value && resolve(value)) || holeAt(node);
  }
  if (node.type === 'binary_operator') {
    const operator = node.childForFieldName('operator')?.text;
    if (operator === '%') return resolvePercent(semantic, node, depth);
    const left = resolve(field(node, 'left'));
    const right = resolve(field(node, 'right'));
    if (!left || !right) return undefined;
    if (operator === '+') return concatValues([left, right]);
    return operator === '/' && left.isPath ? joinValues([left, right], node, true) : undefined;
  }
  if (node.type !== 'call') return semantic.resolveValue(node);
  if (semantic.methodName(node) === 'format') return resolveFormat(semantic, node, depth);
  const callee = semantic.calleeName(node) ?? '';
  const args = callArguments(node);
  if (callee in JOINS) {
    if (args.star.length > 0 || args.positional.length === 0) return undefined;
    const values = args.positional.map(resolve);
    if (values.some((v) => !v)) return undefined;
    return joinValues(values as ResolvedValue[], node, JOINS[callee]);
  }
  if (SAME_PATH.has(callee))
    return args.positional.length === 1 ? resolve(args.positional[0]) : undefined;
  // `Path("x").resolve()`, `.expanduser()`, `.absolute()` keep the path they were given.
  const method = semantic.methodName(node);
  if (method && ['resolve', 'expanduser', 'absolute', 'as_posix'].includes(method)) {
    const base = resolve(field(field(node, 'function'), 'object'));
    if (base?.isPath) return base;
  }
  return undefined;
}

/** A value substituted into a template: a number as written, else the resolved string. */
function substituted(
  semantic: SemanticModel,
  argument: Node | undefined,
  depth: number,
): ResolvedValue | undefined {
  if (!argument) return undefined;
  const value = semantic.followName(argument);
  if (value.type === 'integer' || value.type === 'float')
    return { parts: [{ kind: 'literal', text: value.text, node: value }], isPath: false };
  return resolveDestination(semantic, argument, depth + 1);
}

/** The literal text of a template, or undefined when part of it is unknown. */
function templateText(value: ResolvedValue | undefined): string | undefined {
  if (!value || value.parts.some((p) => p.kind === 'hole')) return undefined;
  return value.parts.map((p) => (p.kind === 'literal' ? p.text : '')).join('');
}

/** `"model-{}.pt".format(name)`: each replacement field is the resolved argument, or a hole. */
function resolveFormat(semantic: SemanticModel, call: Node, depth: number): ResolvedValue {
  const template = templateText(
    resolveDestination(semantic, field(field(call, 'function'), 'object'), depth + 1),
  );
  if (template === undefined) return holeAt(call);
  const args = callArguments(call);
  const parts: PathPart[] = [];
  let literal = '';
  let automatic = 0;
  const flush = () => {
    if (literal) parts.push({ kind: 'literal', text: literal, node: call });
    literal = '';
  };
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if ((char === '{' || char === '}') && template[i + 1] === char) {
      literal += char;
      i++;
      continue;
    }
    if (char !== '{') {
      literal += char;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end < 0) return holeAt(call);
    const [, name, rest] = /^(\w*)(.*)$/s.exec(template.slice(i + 1, end))!;
    i = end;
    const argument =
      name === ''
        ? args.positional[automatic++]
        : /^\d+$/.test(name)
          ? args.positional[Number(name)]
          : args.keywords.get(name);
    // A conversion, format spec or attribute (`{0:03d}`, `{cfg.name}`) makes the field unknown.
    const readable =
      !rest && args.star.length === 0 && (!!argument || args.doubleStar.length === 0);
    const value = readable ? substituted(semantic, argument, depth) : undefined;
    flush();
    parts.push(...(value?.parts ?? [{ kind: 'hole' as const, node: argument ?? call }]));
  }
  flush();
  return { parts, isPath: false };
}

const PERCENT_SPEC =
  /%(?:\((\w+)\))?([#0 +-]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** `"model_%s.pt" % name`: each conversion is the resolved argument, or a hole. */
function resolvePercent(
  semantic: SemanticModel,
  node: Node,
  depth: number,
): ResolvedValue | undefined {
  const templateValue = resolveDestination(semantic, field(node, 'left'), depth + 1);
  // `a % b` on numbers is not formatting.
  if (!templateValue) return undefined;
  const template = templateText(templateValue);
  if (template === undefined) return holeAt(node);
  const right = unparenthesize(field(node, 'right')!);
  const items =
    right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c) : [right];
  const parts: PathPart[] = [];
  let index = 0;
  let last = 0;
  for (const match of template.matchAll(PERCENT_SPEC)) {
    const [spec, key, flags, width, precision, conversion] = match;
    const before = template.slice(last, match.index) + (conversion === '%' ? '%' : '');
    last = match.index! + spec.length;
    if (before) parts.push({ kind: 'literal', text: before, node });
    if (conversion === '%') continue;
    const argument = key ? dictionaryValue(semantic, right, key) : items[index++];
    const plain = !flags && !width && !precision && 'sdiu'.includes(conversion);
    const value = plain ? substituted(semantic, argument, depth) : undefined;
    parts.push(...(value?.parts ?? [{ kind: 'hole' as const, node: argument ?? node }]));
  }
  const rest = template.slice(last);
  if (rest) parts.push({ kind: 'literal', text: rest, node });
  return { parts, isPath: false };
}

function dictionaryValue(semantic: SemanticModel, dict: Node, key: string): Node | undefined {
  if (dict.type !== 'dictionary') return undefined;
  for (const pair of dict.namedChildren) {
    if (pair?.type === 'pair' && semantic.stringLiteral(field(pair, 'key')) === key)
      return field(pair, 'value') ?? undefined;
  }
  return undefined;
}

/** Where the file name is written: a plain literal, or the template of `.format` / `%`. */
type FileNameSite =
  | { kind: 'literal'; literal: Node }
  | { kind: 'format'; literal: Node; call: Node }
  | { kind: 'percent'; literal: Node; operator: Node };

function isPlainString(node: Node): boolean {
  return node.type === 'string' && !node.namedChildren.some((c) => c?.type === 'interpolation');
}

/**
 * The literal that holds the file name: the last part of `os.path.join(DIR, "m.pt")`,
 * `OUT / "m.pt"`, `DIR + "/m.pt"`, the template of `"m-{}.pt".format(x)` or `"m_%s.pt" % x`, or
 * the constant a name is bound to.
 */
function fileNameSite(
  semantic: SemanticModel,
  expression: Node,
  depth = 0,
): FileNameSite | undefined {
  if (depth > 8) return undefined;
  const node = semantic.followName(expression);
  if (node.type === 'string')
    return isPlainString(node) ? { kind: 'literal', literal: node } : undefined;
  if (node.type === 'binary_operator') {
    if (node.childForFieldName('operator')?.text !== '%')
      return fileNameSite(semantic, field(node, 'right')!, depth + 1);
    const template = semantic.followName(field(node, 'left')!);
    return isPlainString(template)
      ? { kind: 'percent', literal: template, operator: node }
      : undefined;
  }
  if (node.type !== 'call') return undefined;
  if (semantic.methodName(node) === 'format') {
    const template = semantic.followName(field(field(node, 'function'), 'object')!);
    return isPlainString(template) ? { kind: 'format', literal: template, call: node } : undefined;
  }
  if (!PATH_BUILDERS.has(semantic.calleeName(node) ?? '')) return undefined;
  const args = callArguments(node);
  const last = args.positional[args.positional.length - 1];
  return last && args.star.length === 0 ? fileNameSite(semantic, last, depth + 1) : undefined;
}

/** The pieces of a single-line string literal: prefix, quote and content. */
function stringPieces(
  literal: Node,
): { prefix: string; quote: string; content: string } | undefined {
  const open = literal.firstChild!.text;
  const quote = open.replace(/^[A-Za-z]*/, '');
  // Triple-quoted and byte strings are left alone.
  if (quote.length !== 1 || /b/i.test(open)) return undefined;
  const prefix = open.slice(0, -1).replace(/[uU]/g, '');
  return { prefix, quote, content: literal.text.slice(open.length, literal.text.length - 1) };
}

/** Where a suffix goes in a file name: before the extension of the last path segment. */
function suffixPoint(content: string): number {
  const slash = Math.max(content.lastIndexOf('/'), content.lastIndexOf('\\'));
  const dot = content.lastIndexOf('.');
  return dot > slash + 1 ? dot : content.length;
}

/** `import time`, unless another `time` (`from datetime import time`) is in use there. */
function timeImport(context: RuleContext, at: Node): TextEdit[] | undefined {
  const timeBindings = context.semantic.bindingsOf('time', at);
  if (timeBindings.some((b) => b.qualifiedName !== 'time')) return undefined;
  return addSetupLines(context, importLines(context, ['time']));
}

function timestampFix(context: RuleContext, site: FileNameSite): Fix | undefined {
  if (site.kind === 'literal') return versionFilenameFix(context, site.literal);
  const pieces = stringPieces(site.literal);
  const imports = timeImport(context, site.literal);
  if (!pieces || !imports) return undefined;
  const { prefix, quote, content } = pieces;
  const split = suffixPoint(content);
  const stamp = `time.strftime(${quote}%Y%m%d-%H%M%S${quote})`;
  const edits =
    site.kind === 'format'
      ? formatStampEdits(site.call, content, split, stamp)
      : percentStampEdits(context, site.operator, content, split, stamp);
  if (!edits) return undefined;
  const field_ = edits.field;
  const text = `${prefix}${quote}${content.slice(0, split)}-${field_}${content.slice(split)}${quote}`;
  return {
    title: 'Add a timestamp to the file name',
    safety: 'unsafe',
    edits: [replaceNode(site.literal, text), ...edits.edits, ...imports],
  };
}

/** `"m-{}.pt".format(x)` → `"m-{}-{}.pt".format(x, time.strftime(...))`. */
function formatStampEdits(
  call: Node,
  content: string,
  split: number,
  stamp: string,
): { field: string; edits: TextEdit[] } | undefined {
  const args = callArguments(call);
  if (args.star.length > 0 || args.doubleStar.length > 0) return undefined;
  const fields = content.replace(/\{\{|\}\}/g, '').match(/\{[^{}]*\}/g) ?? [];
  // A field after the insertion point would take the new argument's place.
  if (/\{(?!\{)/.test(content.slice(split).replace(/\{\{/g, ''))) return undefined;
  const numbered = fields.some((f) => /^\{\d/.test(f));
  const automatic = fields.filter((f) => /^\{[:!}]/.test(f)).length;
  if (!numbered && automatic !== args.positional.length) return undefined;
  const field_ = numbered ? `{${args.positional.length}}` : '{}';
  const last = args.positional[args.positional.length - 1];
  const list = args.node!;
  const rest = list.namedChildren.some((c) => c?.type !== 'comment');
  const edit = last
    ? insertAt(last.endIndex, `, ${stamp}`)
    : insertAt(list.startIndex + 1, rest ? `${stamp}, ` : stamp);
  return { field: field_, edits: [edit] };
}

/** `"m_%s.pt" % x` → `"m_%s-%s.pt" % (x, time.strftime(...))`. */
function percentStampEdits(
  context: RuleContext,
  operator: Node,
  content: string,
  split: number,
  stamp: string,
): { field: string; edits: TextEdit[] } | undefined {
  // Named conversions take a dict; a conversion after the insertion point takes the new value.
  if (/%\(/.test(content) || content.slice(split).replace(/%%/g, '').includes('%'))
    return undefined;
  const right = unparenthesize(field(operator, 'right')!);
  if (right.type === 'tuple') {
    const items = right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const last = items[items.length - 1];
    if (!last || right.text[0] !== '(') return undefined;
    return { field: '%s', edits: [insertAt(last.endIndex, `, ${stamp}`)] };
  }
  // A single value may itself be a tuple unless it is a string or number.
  const value = context.semantic.followName(right);
  if (!['string', 'integer', 'float', 'concatenated_string'].includes(value.type)) return undefined;
  return { field: '%s', edits: [replaceNode(right, `(${right.text}, ${stamp})`)] };
}

function versionFilenameFix(context: RuleContext, literal: Node): Fix | undefined {
  const pieces = stringPieces(literal);
  // `import time` would shadow another `time` (`from datetime import time`) the code still uses.
  const imports = timeImport(context, literal);
  if (!pieces || !imports) return undefined;
  const { prefix, quote, content } = pieces;
  const escaped = content.replace(/\{/g, '{{').replace(/\}/g, '}}');
  const split = suffixPoint(escaped);
  const inner = quote === '"' ? "'" : '"';
  const stamp = `-{time.strftime(${inner}%Y%m%d-%H%M%S${inner})}`;
  const text = `${prefix}f${quote}${escaped.slice(0, split)}${stamp}${escaped.slice(split)}${quote}`;
  return {
    title: 'Add a timestamp to the file name',
    safety: 'unsafe',
    edits: [replaceNode(literal, text), ...imports],
  };
}

/**
 * Whether DVC versions the destination: it is listed (or lies inside a folder listed) under the
 * `outs` of a stage in `dvc.yaml`, or has a `.dvc` file from `dvc add`. The destination is taken
 * relative to the script's folder and to each `dvc.yaml` folder, where DVC runs stage commands.
 */
function isVersionedByDvc(
  context: RuleContext,
  path: string,
  files: () => DvcFile[],
  dvcMarkers: Map<string, boolean>,
): boolean {
  const { project } = context;
  // Saves share folders: each `.dvc` file is looked for once per lint.
  const hasMarker = (target: string) => {
    let known = dvcMarkers.get(target);
    if (known === undefined)
      dvcMarkers.set(target, (known = project.read(`${target}.dvc`) !== undefined));
    return known;
  };
  const scriptFolder = dirname(context.file.path);
  const found = files();
  const candidates = [resolve(scriptFolder, path), ...found.map((f) => resolve(f.folder, path))];
  if (found.length > 0 && candidates.some((candidate) => isDvcOutput(found, candidate)))
    return true;
  // `dvc add models/model.pkl` leaves `models/model.pkl.dvc`; `dvc add models` leaves `models.dvc`.
  const stop = project.root ?? '/';
  return candidates.some((candidate) => {
    for (let current = candidate, i = 0; i < 12; i++) {
      if (current === stop || !current.startsWith(stop)) return false;
      if (hasMarker(current)) return true;
      current = dirname(current);
    }
    return false;
  });
}

function logArtifactFix(
  context: RuleContext,
  call: Node,
  destination: Node,
  isDirectory: boolean,
): Fix | undefined {
  const { semantic } = context;
  const tracker = semantic.imports.find(
    (b) => b.qualifiedName === 'mlflow' || b.qualifiedName === 'wandb',
  );
  if (!tracker) return undefined;
  const statement = enclosingStatement(call);
  // A statement sharing its line with a compound header cannot take a line after it.
  if (
    statement.parent &&
    statement.parent.type === 'block' &&
    statement.parent.startPosition.row === statement.parent.parent?.startPosition.row
  ) {
    return undefined;
  }
  const indent = indentationAt(context.file.text, statement.startIndex);
  const name = tracker.target.text;
  const line =
    tracker.qualifiedName === 'mlflow'
      ? `${name}.${isDirectory ? 'log_artifacts' : 'log_artifact'}(${destination.text})`
      : `${name}.log_artifact(${destination.text}, type="model")`;
  return {
    title: `Log the saved model with ${line.split('(')[0]}`,
    safety: 'unsafe',
    edits: [
      insertAt(statement.endIndex, `${lineBreak(context, statement.startIndex)}${indent}${line}`),
    ],
  };
}

export const unversionedModelSave = defineRule({
  code: 'MLH401',
  name: 'unversioned-model-save',
  family: 'artifacts',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  fix: 'sometimes',
  triggers: ['save', 'dump', 'export'],
  docs: {
    summary: 'A model is saved to a fixed path with no version and is not logged to a registry.',
    why:
      'Every run overwrites `model.pkl`. When the new model misbehaves in production there is no ' +
      'previous artifact to roll back to, and no way to tell which code, data and parameters produced ' +
      'the file that is serving. Auditors and on-call engineers need every deployed model to be ' +
      'traceable. Reported for model saves (`torch.save`, `torch.jit.save`, `torch.onnx.export`, ' +
      '`joblib`/`pickle`/`cloudpickle`/`dill` dumps, Keras `save`/`save_model`/`save_weights`, ' +
      '`tf.saved_model.save`, `save_pretrained`, booster `save_model`, Lightning `save_checkpoint`, ' +
      'safetensors `save_file`, `skops.io.dump`, `mlflow.<flavor>.save_model`) whose destination is ' +
      'fully known — literals and constants, also through f-strings, `.format(...)`, `%`, ' +
      '`os.path.join` and `Path /` — and carries no version: no run id, timestamp, epoch/step, uuid, ' +
      'git sha or version name, and no version written into it (`v3`, `1.4.0`, `20240105`). A ' +
      'destination with a part that is not known (a CLI argument, a config value, a loop variable) is ' +
      'not reported. Nor is any save in a program that registers artifacts anywhere, notebook cells ' +
      'included (`mlflow.log_artifact(s)`, `mlflow.<flavor>.log_model`, `register_model`, ' +
      '`wandb.log_artifact`/`Artifact`, `push_to_hub`, `huggingface_hub.upload_folder`, Neptune ' +
      '`upload`, ClearML `upload_artifact`, Comet `log_model`), nor a save to a DVC output: a path ' +
      'listed under `outs` of a stage in the nearest `dvc.yaml` (or the one at the project root), or ' +
      'inside an output folder, taken relative to the script and to the `dvc.yaml` folder, where DVC ' +
      'runs stage commands; a file with a `.dvc` file from `dvc add` counts too.',
    howToFix:
      'Put a version in the destination (run id, timestamp, epoch/step, git sha), or log the artifact ' +
      'to a tracker or registry (`mlflow.log_artifact`, `mlflow.<flavor>.log_model`, ' +
      '`wandb.log_artifact`, `push_to_hub`), or declare the path as a DVC output.',
    fixSafety:
      'Both fixes are unsafe: a timestamped file name changes where downstream code finds the model, ' +
      'and logging an artifact uploads it to the tracking server. The timestamp goes into the file ' +
      'name literal (an f-string field), or as one more field and argument of a `.format(...)` or ' +
      '`%` template; when mlflow or wandb is imported, a log-artifact call can be added after the save instead.',
    options: '`tracking-calls` (list): extra function or method names that register an artifact.',
    examples: {
      invalid: [
        py`
          import torch

          torch.save(model.state_dict(), "checkpoints/model.pt")
        `,
        py`
          import joblib

          MODEL_PATH = "models/churn_model.joblib"
          joblib.dump(clf, MODEL_PATH)
        `,
        py`
          import pickle

          with open("model.pkl", "wb") as f:
              pickle.dump(model, f)
        `,
        py`
          model.save_pretrained("outputs/bert-finetuned")
        `,
      ],
      valid: [
        py`
          import torch

          torch.save(model.state_dict(), f"checkpoints/model-epoch{epoch}.pt")
        `,
        py`
          import mlflow
          import joblib

          joblib.dump(clf, "model.joblib")
          mlflow.log_artifact("model.joblib")
        `,
        py`
          import joblib

          joblib.dump(clf, args.output_path)
        `,
        py`
          import pickle

          with open("results.pkl", "wb") as f:
              pickle.dump(scores, f)
        `,
      ],
    },
  },
  create(context): Visitors {
    const { semantic, options } = context;
    const registered = semantic
      .nodes('call')
      .some((call) => isRegistration(semantic, call, options.trackingCalls));
    // A program that logs or registers its artifacts anywhere is versioned by its tracker.
    if (registered) return {} satisfies Visitors;
    let dvc: DvcFile[] | undefined;
    const dvcMarkers = new Map<string, boolean>();

    return {
      call(call) {
        const callee = semantic.calleeName(call);
        const method = semantic.methodName(call);
        const api = callee
          ? (ownEntry(FUNCTION_SAVES, callee) ??
            (MLFLOW_SAVE.test(callee) ? { position: 1, keywords: ['path'] } : undefined))
          : method
            ? ownEntry(METHOD_SAVES, method)
            : undefined;
        // Only calls that save a model artifact.
        if (!api) return;
        const args = callArguments(call);
        const destination =
          api.keywords.map((k) => args.keywords.get(k)).find((node) => !!node) ??
          args.positional[api.position];
        if (!destination) return;
        const pathNode = openedPath(semantic, destination) ?? destination;
        const value = resolveDestination(semantic, pathNode);
        // A destination with any part we cannot resolve (CLI argument, config, run id) is not fixed.
        if (!value || value.parts.some((p) => p.kind === 'hole')) return;
        const path = renderValue(value);
        // A version already written into the path counts.
        if (LITERAL_VERSION.test(path) || /:\/\//.test(path)) return;
        // A constant named as a version (`MODEL_VERSION = "2"`) is bumped by hand on purpose.
        if (mentionsVersion(semantic, pathNode)) return;
        if (api.generic) {
          const fileName = path.split(/[\\/]/).pop() ?? '';
          if (callee) {
            const saved =
              args.positional[0] ?? args.keywords.get('obj') ?? args.keywords.get('value');
            const modelFile = isModelName(fileStem(fileName)) && MODEL_EXTENSION.test(fileName);
            // Serializers of anything count for a model-like object, or a model-named model file.
            if (!isModelObject(semantic, saved) && !modelFile) return;
          } else {
            const receiver = field(field(call, 'function'), 'object');
            // Images, figures and reports have `.save()` too: only a model-like receiver writing a
            // model file or a directory counts.
            if (!isModelObject(semantic, receiver)) return;
            if (fileName.includes('.') && !MODEL_EXTENSION.test(fileName)) return;
          }
        }
        // A DVC output (`outs` in dvc.yaml, or a `dvc add`ed file) is versioned by DVC.
        if (isVersionedByDvc(context, path, () => (dvc ??= dvcFiles(context.project)), dvcMarkers))
          return;
        const isDirectory = !/\.\w+$/.test(path);
        const site = fileNameSite(semantic, pathNode);
        const fixes = [
          site ? timestampFix(context, site) : undefined,
          logArtifactFix(context, call, pathNode, isDirectory),
        ].filter((f): f is Fix => !!f);
        context.report({
          node: destination,
          message: `Model saved to the fixed path "${path}": the next run overwrites it; add a version (run id, timestamp, epoch) or log it to a model registry`,
          fixes,
        });
      },
    };
  },
});
