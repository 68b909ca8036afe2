import type { Node } from 'web-tree-sitter';
import { literalPrefix, type SemanticModel } from '../../semantic/model';
import { callArguments, field, unparenthesize } from '../../semantic/nodes';

/**
 * Where a value enters the program from outside: an HTTP request, a download, the command line or
 * the environment. Followed backwards through names bound once (in the function, else the module),
 * `with ... as f`, loop targets over such values, path building (`Path`, `os.path.join`, f-strings,
 * `+`), readers (`open`, `BytesIO`, `.read()`), dict and attribute access, and into a module-level
 * function's parameters from the calls of that function in the file.
 */

export type ProvenanceKind =
  'request' | 'upload' | 'download' | 'hub' | 'url' | 'cli' | 'env' | 'console';

export interface Provenance {
  kind: ProvenanceKind;
  /** The source, for messages: `a command-line argument`. */
  source: string;
  /** True when the value was opened, downloaded or decoded on the way: data rather than a path. */
  read: boolean;
  /** The expression where the value enters the program. */
  node: Node;
}

const SOURCES: Record<ProvenanceKind, string> = {
  request: 'an HTTP request',
  upload: 'a file uploaded in an HTTP request',
  download: 'a URL download',
  hub: 'a Hugging Face Hub download',
  url: 'a URL',
  cli: 'a command-line argument',
  env: 'an environment variable',
  console: 'console input',
};

/** Names (after import resolution) that are outside values themselves. */
const NAME_SOURCES: [RegExp, ProvenanceKind][] = [
  [/^(flask|quart|bottle)\.request\.files(\.|$)/, 'upload'],
  [/^(flask|quart|bottle)\.request(\.|$)/, 'request'],
  [/^sys\.argv$/, 'cli'],
  [/^(absl\.flags|tensorflow\.(compat\.v1\.)?(app\.)?flags)\.FLAGS(\.|$)/, 'cli'],
  [/^os\.environ$/, 'env'],
];

/** Calls whose result is an outside value. */
const CALL_SOURCES: Record<string, ProvenanceKind> = {
  'os.getenv': 'env',
  'os.environ.get': 'env',
  'os.environ.setdefault': 'env',
  'builtins.input': 'console',
  'requests.get': 'download',
  'requests.post': 'download',
  'requests.request': 'download',
  'httpx.get': 'download',
  'httpx.post': 'download',
  'urllib.request.urlopen': 'download',
  'urllib.request.urlretrieve': 'download',
  'urllib2.urlopen': 'download',
  'keras.utils.get_file': 'download',
  'wget.download': 'download',
  'gdown.download': 'download',
  'huggingface_hub.hf_hub_download': 'hub',
  'huggingface_hub.snapshot_download': 'hub',
  'huggingface_hub.cached_download': 'hub',
  'huggingface_hub.file_download.hf_hub_download': 'hub',
};

/** Readers whose result carries the data of their first argument. */
const READERS = new Set([
  'builtins.open',
  'io.open',
  'io.BytesIO',
  'io.StringIO',
  'gzip.open',
  'gzip.GzipFile',
  'bz2.open',
  'bz2.BZ2File',
  'lzma.open',
  'base64.b64decode',
  'codecs.decode',
  'smart_open.open',
  'fsspec.open',
]);

/** Calls that build a path from their arguments. */
const PATH_BUILDERS = new Set([
  'pathlib.Path',
  'pathlib.PurePath',
  'os.path.join',
  'posixpath.join',
  'os.fspath',
  'os.path.abspath',
  'os.path.realpath',
  'os.path.normpath',
  'os.path.expanduser',
  'os.path.expandvars',
  'builtins.str',
  'builtins.vars',
]);

/** Methods whose result carries the value of their receiver. */
const CARRYING_METHODS = new Set([
  'get',
  'getlist',
  'pop',
  'strip',
  'lstrip',
  'rstrip',
  'format',
  'resolve',
  'expanduser',
  'absolute',
  'as_posix',
  'joinpath',
  'with_suffix',
  'with_name',
]);

/** Methods whose result is the data behind their receiver. */
const READING_METHODS = new Set([
  'read',
  'readlines',
  'readline',
  'getvalue',
  'decode',
  'encode',
  'read_bytes',
  'read_text',
  'open',
  'json',
  'body',
  'form',
  'get_json',
  'get_data',
  'iter_content',
]);

/** Attributes whose value is the data behind their object: `response.content`, `upload.file`. */
const READING_ATTRIBUTES = new Set(['content', 'raw', 'text', 'file', 'stream', 'body', 'data']);

/** Attributes of a Django/DRF/Starlette request parameter that hold client data. */
const REQUEST_ATTRIBUTES: Record<string, ProvenanceKind> = {
  FILES: 'upload',
  POST: 'request',
  GET: 'request',
  body: 'request',
  data: 'request',
  query_params: 'request',
  path_params: 'request',
};

/** `argparse`/`HfArgumentParser` methods that return the parsed command line. */
const PARSE_METHODS = new Set([
  'parse_args',
  'parse_known_args',
  'parse_intermixed_args',
  'parse_args_into_dataclasses',
]);

/** Parameter annotations and defaults that make the parameter request data (FastAPI/Starlette). */
const REQUEST_ANNOTATIONS: Record<string, ProvenanceKind> = {
  'fastapi.UploadFile': 'upload',
  'fastapi.datastructures.UploadFile': 'upload',
  'starlette.datastructures.UploadFile': 'upload',
  'fastapi.Request': 'request',
  'starlette.requests.Request': 'request',
  'flask.Request': 'request',
  'django.http.HttpRequest': 'request',
};

const PARAMETER_DEFAULTS: Record<string, ProvenanceKind> = {
  'fastapi.File': 'upload',
  'fastapi.UploadFile': 'upload',
  'fastapi.Form': 'request',
  'fastapi.Body': 'request',
  'fastapi.Query': 'request',
  'fastapi.Header': 'request',
  'fastapi.Path': 'request',
  'fastapi.Cookie': 'request',
  'typer.Option': 'cli',
  'typer.Argument': 'cli',
};

/** Application objects whose route decorators make a function's parameters request values. */
const WEB_APPS = new Set([
  'fastapi.FastAPI',
  'fastapi.APIRouter',
  'flask.Flask',
  'flask.Blueprint',
  'quart.Quart',
  'quart.Blueprint',
  'sanic.Sanic',
]);
const ROUTE_METHODS = new Set([
  'route',
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'api_route',
  'websocket',
]);

/** Calls that run a function with its parameters taken from the command line. */
const CLI_RUNNERS = new Set(['fire.Fire', 'typer.run', 'defopt.run', 'jsonargparse.CLI']);

const PARAMETER_TYPES = new Set([
  'identifier',
  'typed_parameter',
  'default_parameter',
  'typed_default_parameter',
]);

/** Calls by the name of the module-level function they call, built once per file. */
const callsByName = new WeakMap<SemanticModel, Map<string, Node[]>>();

function callsNamed(semantic: SemanticModel, name: string): Node[] {
  let index = callsByName.get(semantic);
  if (!index) {
    index = new Map();
    for (const call of semantic.nodes('call')) {
      const fn = field(call, 'function');
      if (fn?.type !== 'identifier') continue;
      const list = index.get(fn.text);
      if (list) list.push(call);
      else index.set(fn.text, [call]);
    }
    callsByName.set(semantic, index);
  }
  return index.get(name) ?? [];
}

class Tracer {
  private readonly seen = new Set<number>();

  constructor(private readonly semantic: SemanticModel) {}

  private found(kind: ProvenanceKind, node: Node, read: boolean): Provenance {
    return { kind, source: SOURCES[kind], read, node };
  }

  trace(expression: Node | null | undefined, read: boolean, depth: number): Provenance | undefined {
    if (!expression || depth > 14) return undefined;
    const node = unparenthesize(expression);
    if (this.seen.has(node.id)) return undefined;
    this.seen.add(node.id);
    switch (node.type) {
      case 'string':
      case 'concatenated_string':
        return this.traceString(node, read, depth);
      case 'identifier':
        return this.traceName(node, read, depth);
      case 'attribute':
        return this.traceAttribute(node, read, depth);
      case 'subscript':
        return this.traceSubscript(node, read, depth);
      case 'call':
        return this.traceCall(node, read, depth);
      case 'await':
        return this.trace(node.namedChild(0), read, depth + 1);
      case 'binary_operator':
      case 'boolean_operator':
        return (
          this.trace(field(node, 'left'), read, depth + 1) ??
          this.trace(field(node, 'right'), read, depth + 1)
        );
      case 'conditional_expression':
        return (
          this.trace(node.namedChild(0), read, depth + 1) ??
          this.trace(node.namedChild(2), read, depth + 1)
        );
      default:
        return undefined;
    }
  }

  private fromName(qualified: string | undefined, node: Node, read: boolean) {
    if (!qualified) return undefined;
    const hit = NAME_SOURCES.find(([pattern]) => pattern.test(qualified));
    return hit ? this.found(hit[1], node, read) : undefined;
  }

  private traceString(node: Node, read: boolean, depth: number): Provenance | undefined {
    const value = this.semantic.resolveValue(node);
    if (!value) return undefined;
    if (/^https?:\/\//i.test(literalPrefix(value))) return this.found('url', node, read);
    for (const part of value.parts) {
      if (part.kind !== 'hole') continue;
      const inner = part.node.type === 'interpolation' ? field(part.node, 'expression') : part.node;
      const found = this.trace(inner, read, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  private traceName(node: Node, read: boolean, depth: number): Provenance | undefined {
    const named = this.fromName(this.semantic.qualifiedName(node), node, read);
    if (named) return named;
    const bindings = this.semantic.bindingsOf(node.text, node);
    // Only a name bound once has one value to follow.
    if (bindings.length !== 1) return undefined;
    const binding = bindings[0];
    if (binding.kind === 'assign' && binding.value)
      return this.trace(binding.value, read, depth + 1);
    if (binding.kind === 'parameter') return this.traceParameter(binding.target, read, depth);
    if (binding.kind !== 'other') return undefined;
    // `with open(p) as f`, `for path in sys.argv[1:]`, `path, _ = urlretrieve(url)`.
    const holder = bindingSource(binding.target);
    return holder ? this.trace(holder, read, depth + 1) : undefined;
  }

  private traceAttribute(node: Node, read: boolean, depth: number): Provenance | undefined {
    const named = this.fromName(this.semantic.qualifiedName(node), node, read);
    if (named) return named;
    const object = field(node, 'object');
    const attribute = field(node, 'attribute')?.text ?? '';
    // A Django or DRF view's `request.FILES` / `request.POST`.
    if (object?.type === 'identifier' && object.text === 'request' && REQUEST_ATTRIBUTES[attribute])
      return this.found(REQUEST_ATTRIBUTES[attribute], node, read);
    return this.trace(object, read || READING_ATTRIBUTES.has(attribute), depth + 1);
  }

  private traceSubscript(node: Node, read: boolean, depth: number): Provenance | undefined {
    return this.trace(field(node, 'value'), read, depth + 1);
  }

  private traceCall(node: Node, read: boolean, depth: number): Provenance | undefined {
    const callee = this.semantic.calleeName(node);
    const args = callArguments(node);
    if (callee) {
      const kind = CALL_SOURCES[callee];
      if (kind) return this.found(kind, node, read || kind === 'download' || kind === 'hub');
      const named = this.fromName(callee, node, read);
      if (named) return named;
      if (READERS.has(callee)) return this.trace(args.positional[0], true, depth + 1);
      if (PATH_BUILDERS.has(callee)) {
        for (const arg of args.positional) {
          const found = this.trace(arg, read, depth + 1);
          if (found) return found;
        }
        return undefined;
      }
    }
    const fn = field(node, 'function');
    if (fn?.type !== 'attribute') return undefined;
    const method = field(fn, 'attribute')?.text ?? '';
    if (PARSE_METHODS.has(method)) return this.found('cli', node, read);
    if (CARRYING_METHODS.has(method)) return this.trace(field(fn, 'object'), read, depth + 1);
    if (READING_METHODS.has(method)) return this.trace(field(fn, 'object'), true, depth + 1);
    return undefined;
  }

  private traceParameter(name: Node, read: boolean, depth: number): Provenance | undefined {
    const parameter = PARAMETER_TYPES.has(name.parent?.type ?? '') ? name.parent! : name;
    const annotation = field(parameter, 'type')?.namedChild(0);
    const annotated = REQUEST_ANNOTATIONS[this.semantic.qualifiedName(annotation) ?? ''];
    if (annotated) return this.found(annotated, name, read);
    const fallback = field(parameter, 'value');
    const defaulted = fallback?.type === 'call' ? this.semantic.calleeName(fallback) : undefined;
    if (defaulted === 'fastapi.Depends') return undefined;
    if (defaulted && PARAMETER_DEFAULTS[defaulted])
      return this.found(PARAMETER_DEFAULTS[defaulted], name, read);
    const definition = parameter.parent?.parent;
    if (definition?.type !== 'function_definition') return undefined;
    const decorated = this.decoratorSource(definition);
    if (decorated) return this.found(decorated, name, read);
    return this.traceCallers(definition, parameter, name, read, depth);
  }

  /** Click commands, Typer commands and web routes take their parameters from outside. */
  private decoratorSource(definition: Node): ProvenanceKind | undefined {
    const holder = definition.parent;
    if (holder?.type !== 'decorated_definition') return undefined;
    for (const decorator of holder.namedChildren) {
      if (decorator?.type !== 'decorator') continue;
      const expression = decorator.namedChild(0);
      const target = expression?.type === 'call' ? field(expression, 'function') : expression;
      if (!target) continue;
      if (this.semantic.qualifiedName(target)?.startsWith('click.')) return 'cli';
      if (target.type !== 'attribute') continue;
      const method = field(target, 'attribute')?.text ?? '';
      const owner = this.semantic.followName(field(target, 'object')!);
      const app = owner.type === 'call' ? this.semantic.calleeName(owner) : undefined;
      if (app === 'typer.Typer' && method === 'command') return 'cli';
      if (app && WEB_APPS.has(app) && ROUTE_METHODS.has(method)) return 'request';
    }
    return undefined;
  }

  /** A module-level function's parameter is what its callers in the file pass. */
  private traceCallers(
    definition: Node,
    parameter: Node,
    name: Node,
    read: boolean,
    depth: number,
  ): Provenance | undefined {
    const functionName = field(definition, 'name');
    if (!functionName || this.semantic.scopeId(definition) !== -1) return undefined;
    const parameters = field(definition, 'parameters')?.namedChildren ?? [];
    const index = parameters.findIndex((p) => p?.id === parameter.id);
    for (const runner of this.semantic.nodes('call')) {
      if (!CLI_RUNNERS.has(this.semantic.calleeName(runner) ?? '')) continue;
      const target = callArguments(runner).positional[0];
      if (target?.type === 'identifier' && target.text === functionName.text)
        return this.found('cli', name, read);
    }
    for (const call of callsNamed(this.semantic, functionName.text)) {
      const args = callArguments(call);
      const passed = args.keywords.get(name.text) ?? args.positional[index];
      const found = this.trace(passed, read, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
}

/**
 * The expression a name bound by `with ... as`, a `for` target or an unpacking assignment takes
 * its value from (or from an element of).
 */
export function bindingSource(target: Node): Node | null {
  let current: Node | null = target.parent;
  while (
    current &&
    ['pattern_list', 'tuple_pattern', 'list_pattern', 'parenthesized_expression'].includes(
      current.type,
    )
  )
    current = current.parent;
  if (current?.type === 'as_pattern_target') return current.parent?.namedChild(0) ?? null;
  if (current?.type === 'for_statement' || current?.type === 'for_in_clause')
    return field(current, 'right');
  if (current?.type === 'assignment') return field(current, 'right');
  if (current?.type === 'named_expression') return field(current, 'value');
  return null;
}

/** Where a value comes from, when it enters the program from a request, a URL, the CLI or env. */
export function provenanceOf(
  semantic: SemanticModel,
  expression: Node | null | undefined,
): Provenance | undefined {
  return new Tracer(semantic).trace(expression, false, 0);
}
