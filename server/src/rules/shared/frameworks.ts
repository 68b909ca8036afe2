import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../semantic/model';
import { callArguments, field, unparenthesize } from '../../semantic/nodes';

/**
 * Web and demo frameworks that hand user input to Python functions: which functions are request
 * handlers, which of their parameters carry user data, and which expressions read request data.
 * Everything is resolved through imports, so `from flask import request as rq` still counts.
 */

export type Framework =
  'flask' | 'fastapi' | 'django' | 'starlette' | 'ray-serve' | 'gradio' | 'streamlit';

export interface Handler {
  framework: Framework;
  /** The function definition. */
  definition: Node;
  /** Parameters holding a request object (`request: Request`, Django's `request`). */
  requestParameters: Node[];
  /** Parameters that are user data themselves (FastAPI `payload: dict`, Gradio inputs). */
  dataParameters: Node[];
}

const HTTP_METHODS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'api_route',
  'websocket',
  'route',
]);

const APP_CLASSES: Record<string, Framework> = {
  'flask.Flask': 'flask',
  'flask.Blueprint': 'flask',
  'fastapi.FastAPI': 'fastapi',
  'fastapi.APIRouter': 'fastapi',
  'starlette.applications.Starlette': 'starlette',
};

const REQUEST_CLASSES = new Set([
  'fastapi.Request',
  'starlette.requests.Request',
  'django.http.HttpRequest',
  'django.http.request.HttpRequest',
  'rest_framework.request.Request',
]);

/** FastAPI parameter annotations that FastAPI does not validate beyond "it is JSON". */
const UNVALIDATED_ANNOTATION = /\b(dict|Dict|Any|Mapping|MutableMapping|object|Json)\b/;

/** FastAPI parameters injected by the framework, not sent by the client. */
const INJECTED_DEFAULT = /^(fastapi\.)?(Depends|Security)$/;

/** Attributes of a request object that hold client data (Django, DRF, Starlette, Ray Serve). */
export const REQUEST_DATA_ATTRIBUTES = new Set([
  'POST',
  'GET',
  'body',
  'FILES',
  'data',
  'query_params',
  'path_params',
  'json',
  'form',
  'stream',
]);

/** Flask's `request` attributes that hold client data. */
export const FLASK_DATA_ATTRIBUTES = new Set([
  'json',
  'form',
  'args',
  'values',
  'data',
  'files',
  'get_json',
  'get_data',
]);

/** Streamlit widgets whose value the user types or uploads freely. */
const STREAMLIT_WIDGETS = new Set([
  'streamlit.text_input',
  'streamlit.text_area',
  'streamlit.chat_input',
  'streamlit.file_uploader',
  'streamlit.camera_input',
  'streamlit.number_input',
  'streamlit.data_editor',
]);

const GRADIO_APPS = new Set(['gradio.Interface', 'gradio.ChatInterface']);
const GRADIO_EVENTS = new Set(['click', 'submit', 'change', 'input', 'upload', 'then']);

function importsModule(semantic: SemanticModel, module: string): boolean {
  return semantic.imports.some(
    (b) => b.qualifiedName === module || b.qualifiedName?.startsWith(`${module}.`),
  );
}

/** The parameter nodes of a function, with their name identifiers. */
export function parametersOf(definition: Node): { node: Node; name: Node }[] {
  const parameters = field(definition, 'parameters');
  const result: { node: Node; name: Node }[] = [];
  for (const param of parameters?.namedChildren ?? []) {
    if (!param) continue;
    const name =
      param.type === 'identifier'
        ? param
        : param.type === 'typed_parameter'
          ? param.namedChild(0)
          : field(param, 'name');
    if (name?.type === 'identifier') result.push({ node: param, name });
  }
  return result;
}

function annotationOf(param: Node): Node | null {
  return param.type === 'typed_parameter' || param.type === 'typed_default_parameter'
    ? field(param, 'type')
    : null;
}

/** The framework whose application object a decorator's receiver is (`app` in `@app.post`). */
function appFramework(semantic: SemanticModel, receiver: Node): Framework | undefined {
  const value = semantic.followName(receiver);
  if (value.type === 'call') {
    const framework = APP_CLASSES[semantic.calleeName(value) ?? ''];
    if (framework) return framework;
  }
  const qualified = semantic.qualifiedName(receiver);
  if (qualified && APP_CLASSES[qualified]) return APP_CLASSES[qualified];
  // An application imported from elsewhere: the file's own imports tell the framework.
  const fastapi = importsModule(semantic, 'fastapi');
  const flask = importsModule(semantic, 'flask');
  if (fastapi && !flask) return 'fastapi';
  if (flask && !fastapi) return 'flask';
  return undefined;
}

function decoratorsOf(definition: Node): Node[] {
  const decorated = definition.parent;
  if (decorated?.type !== 'decorated_definition') return [];
  return decorated.namedChildren
    .filter((d): d is Node => d?.type === 'decorator')
    .map((d) => d.namedChild(0)!)
    .filter(Boolean);
}

/** The framework of a route decorator (`@app.post("/predict")`), if it is one. */
function routeFramework(semantic: SemanticModel, decorator: Node): Framework | undefined {
  const target = decorator.type === 'call' ? field(decorator, 'function') : decorator;
  if (target?.type !== 'attribute') return undefined;
  const method = field(target, 'attribute')?.text ?? '';
  if (!HTTP_METHODS.has(method)) return undefined;
  return appFramework(semantic, field(target, 'object')!);
}

function isRequestAnnotation(semantic: SemanticModel, annotation: Node | null): boolean {
  if (!annotation) return false;
  const inner = annotation.namedChild(0) ?? annotation;
  return REQUEST_CLASSES.has(semantic.qualifiedName(inner) ?? '');
}

/** FastAPI data parameters: untyped, or typed `dict`/`Any`, and not injected (`Depends`). */
function fastapiDataParameters(semantic: SemanticModel, definition: Node): Node[] {
  const result: Node[] = [];
  for (const { node, name } of parametersOf(definition)) {
    if (name.text === 'self' || name.text === 'cls') continue;
    const annotation = annotationOf(node);
    if (isRequestAnnotation(semantic, annotation)) continue;
    const fallback = field(node, 'value');
    if (fallback?.type === 'call') {
      const callee = semantic.calleeName(fallback) ?? field(fallback, 'function')?.text ?? '';
      if (INJECTED_DEFAULT.test(callee)) continue;
    }
    // An untyped parameter with a literal default (`top_k=5`) gets its type from the default.
    if (!annotation && fallback && fallback.type !== 'call' && fallback.type !== 'none') continue;
    if (!annotation || UNVALIDATED_ANNOTATION.test(annotation.text)) result.push(node);
  }
  return result;
}

function requestParameters(semantic: SemanticModel, definition: Node, byName: boolean): Node[] {
  const result: Node[] = [];
  for (const { node, name } of parametersOf(definition)) {
    const annotation = annotationOf(node);
    if (isRequestAnnotation(semantic, annotation)) result.push(name);
    else if (byName && !annotation && /^(request|req|http_request)$/.test(name.text))
      result.push(name);
  }
  return result;
}

function enclosingClass(definition: Node): Node | null {
  const body =
    definition.parent?.type === 'decorated_definition'
      ? definition.parent.parent
      : definition.parent;
  return body?.type === 'block' && body.parent?.type === 'class_definition' ? body.parent : null;
}

/** Functions named as Gradio callbacks: `gr.Interface(fn=predict)`, `button.click(predict, ...)`. */
function gradioCallbacks(semantic: SemanticModel): Set<number> {
  const result = new Set<number>();
  if (!importsModule(semantic, 'gradio')) return result;
  for (const call of semantic.nodes('call')) {
    const callee = semantic.calleeName(call);
    const method = semantic.methodName(call);
    const isApp = !!callee && GRADIO_APPS.has(callee);
    if (!isApp && !(method && GRADIO_EVENTS.has(method))) continue;
    const args = callArguments(call);
    const fn = args.keywords.get('fn') ?? args.positional[0];
    // An event needs its inputs named to be a Gradio event rather than another `.click()`.
    if (!isApp && !args.keywords.has('inputs') && args.positional.length < 2) continue;
    if (fn?.type !== 'identifier') continue;
    const binding = semantic.singleBinding(fn);
    if (binding?.kind === 'definition' && binding.target.parent)
      result.add(binding.target.parent.id);
  }
  return result;
}

/** Functions passed as endpoints to Starlette routes: `Route("/predict", predict)`. */
function starletteEndpoints(semantic: SemanticModel): Set<number> {
  const result = new Set<number>();
  for (const call of semantic.nodes('call')) {
    const callee = semantic.calleeName(call);
    if (callee !== 'starlette.routing.Route' && callee !== 'starlette.routing.WebSocketRoute')
      continue;
    const args = callArguments(call);
    const endpoint = args.keywords.get('endpoint') ?? args.positional[1];
    if (endpoint?.type !== 'identifier') continue;
    const binding = semantic.singleBinding(endpoint);
    if (binding?.kind === 'definition' && binding.target.parent)
      result.add(binding.target.parent.id);
  }
  return result;
}

const handlerCache = new WeakMap<SemanticModel, Map<number, Handler>>();

/** Every request handler or UI callback of the module, by function definition id. */
export function handlersOf(semantic: SemanticModel): Map<number, Handler> {
  const cached = handlerCache.get(semantic);
  if (cached) return cached;
  const result = new Map<number, Handler>();
  const gradio = gradioCallbacks(semantic);
  const starlette = starletteEndpoints(semantic);
  const django = importsModule(semantic, 'django') || importsModule(semantic, 'rest_framework');
  for (const definition of semantic.nodes('function_definition')) {
    const handler = classify(semantic, definition, { gradio, starlette, django });
    if (handler) result.set(definition.id, handler);
  }
  handlerCache.set(semantic, result);
  return result;
}

function classify(
  semantic: SemanticModel,
  definition: Node,
  context: { gradio: Set<number>; starlette: Set<number>; django: boolean },
): Handler | undefined {
  const make = (framework: Framework, requestParams: Node[], dataParams: Node[] = []): Handler => ({
    framework,
    definition,
    requestParameters: requestParams,
    dataParameters: dataParams,
  });
  if (context.gradio.has(definition.id)) {
    const data = parametersOf(definition)
      .filter(
        ({ node, name }) =>
          !/^(self|request|progress)$/.test(name.text) &&
          !isRequestAnnotation(semantic, annotationOf(node)),
      )
      .map(({ node }) => node);
    return make('gradio', [], data);
  }
  for (const decorator of decoratorsOf(definition)) {
    const framework = routeFramework(semantic, decorator);
    if (framework === 'fastapi')
      return make(
        'fastapi',
        requestParameters(semantic, definition, false),
        fastapiDataParameters(semantic, definition),
      );
    if (framework === 'starlette')
      return make('starlette', requestParameters(semantic, definition, true));
    if (framework === 'flask') return make('flask', []);
    const target = decorator.type === 'call' ? field(decorator, 'function') : decorator;
    if (/^rest_framework\.decorators\.api_view$/.test(semantic.qualifiedName(target) ?? ''))
      return make('django', requestParameters(semantic, definition, true));
  }
  if (context.starlette.has(definition.id))
    return make('starlette', requestParameters(semantic, definition, true));
  const owner = enclosingClass(definition);
  if (owner && field(definition, 'name')?.text === '__call__' && isServeDeployment(semantic, owner))
    return make('ray-serve', requestParameters(semantic, definition, true));
  const annotated = requestParameters(semantic, definition, false);
  if (annotated.length > 0) {
    const framework = annotated.some((p) =>
      /django|rest_framework/.test(annotationName(semantic, p)),
    )
      ? 'django'
      : importsModule(semantic, 'fastapi')
        ? 'fastapi'
        : 'starlette';
    return make(framework, annotated);
  }
  if (context.django) {
    // Django views: `def view(request, ...)` at module level, `def post(self, request, ...)` in a class.
    const params = parametersOf(definition);
    const first = owner ? params[1] : params[0];
    if (first?.name.text === 'request' && !annotationOf(first.node))
      return make('django', [first.name]);
  }
  return undefined;
}

function annotationName(semantic: SemanticModel, name: Node): string {
  const param = name.parent;
  const annotation = param ? annotationOf(param) : null;
  return annotation ? (semantic.qualifiedName(annotation.namedChild(0) ?? annotation) ?? '') : '';
}

function isServeDeployment(semantic: SemanticModel, classDefinition: Node): boolean {
  return decoratorsOf(classDefinition).some((decorator) => {
    const target = decorator.type === 'call' ? field(decorator, 'function') : decorator;
    return semantic.qualifiedName(target) === 'ray.serve.deployment';
  });
}

/** Whether a call reads a Streamlit widget whose value the user enters freely. */
export function isStreamlitInput(semantic: SemanticModel, call: Node): boolean {
  const callee = semantic.calleeName(call);
  if (!callee || !STREAMLIT_WIDGETS.has(callee)) return false;
  if (callee !== 'streamlit.number_input') return true;
  // A number input bounded on both sides is validated by the widget.
  const args = callArguments(call);
  const bound = (name: string, index: number) =>
    args.keywords.has(name) || args.positional.length > index;
  return !(bound('min_value', 1) && bound('max_value', 2));
}

/** Whether an expression is Flask's request proxy (`flask.request`, through any alias). */
export function isFlaskRequest(semantic: SemanticModel, node: Node | null): boolean {
  return !!node && semantic.qualifiedName(unparenthesize(node)) === 'flask.request';
}
