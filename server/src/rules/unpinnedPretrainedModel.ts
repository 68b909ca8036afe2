import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { indentationAt, insertAt, lineBreak, replaceNode } from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import {
  argument,
  callArguments,
  enclosingStatement,
  field,
  type CallArguments,
} from '../semantic/nodes';
import {
  cachedCommit,
  cachedCommitWithPrefix,
  expandHome,
  FULL_SHA,
  hubCacheDir,
  isCachedRepo,
  isProjectDirectory,
  type RepoType,
} from './shared/hfCache';
import { defineRule, py, type Fix, type RuleContext, type TextEdit } from './types';

/** What the fix writes when no cached commit is known: visibly not a sha, so it stays reported. */
export const REVISION_PLACEHOLDER = '<40-hex commit sha>';
const TODO_MARK = '# TODO(mlhygiene): pin ';

/**
 * The namespace-less model repositories of the Hub (`bert-base-uncased`, `gpt2`, `t5-small`): a
 * closed list of legacy families. Any other bare name may just as well be a local folder.
 */
const LEGACY_MODEL =
  /^(ctrl|gpt2|distilgpt2|openai-gpt)$|^(albert|bert|camembert|distilbert|distilroberta|gpt2|roberta|t5|transfo-xl|xlm|xlnet)-[\w.-]+$/;

/** A syntactically valid Hub repository id, `name` or `namespace/name` (huggingface_hub's rule). */
const REPO_ID = /^(\w(?:[\w.-]*\w)?\/)?\w(?:[\w.-]{0,94}\w)?$/;

/** First folders of relative locations that training code writes and reloads, not Hub namespaces. */
const LOCAL_FOLDERS = new Set([
  'artifact',
  'artifacts',
  'cache',
  'checkpoint',
  'checkpoints',
  'ckpt',
  'ckpts',
  'data',
  'dataset',
  'datasets',
  'exp',
  'experiment',
  'experiments',
  'export',
  'exports',
  'finetuned',
  'fine_tuned',
  'input',
  'inputs',
  'local',
  'log',
  'logs',
  'model',
  'models',
  'out',
  'output',
  'outputs',
  'pretrained',
  'pretrained_models',
  'result',
  'results',
  'run',
  'runs',
  'save',
  'saved',
  'saved_model',
  'saved_models',
  'temp',
  'tmp',
  'trained_models',
  'weights',
]);

/** File names (weights, configs, data files, dataset scripts) are local files, never repositories. */
const FILE_NAME =
  /\.(bin|pt|pth|ckpt|safetensors|onnx|h5|hdf5|pkl|pickle|gguf|msgpack|tflite|json|jsonl|yaml|yml|py|csv|tsv|txt|parquet|arrow|zip|tar|gz)$/i;

/** `datasets` builders that read local or given files: `load_dataset("csv", data_files=...)`. */
const PACKAGED_BUILDERS = new Set([
  'arrow',
  'audiofolder',
  'cache',
  'csv',
  'generator',
  'hdf5',
  'imagefolder',
  'iterable',
  'json',
  'niftifolder',
  'pandas',
  'parquet',
  'pdffolder',
  'spark',
  'sql',
  'text',
  'videofolder',
  'webdataset',
  'xml',
]);

/**
 * `from_pretrained` of libraries that do not download through huggingface_hub and take no
 * `revision`: NeMo (NGC), efficientnet_pytorch and fairseq (GitHub releases), the pre-hub HF packages.
 */
const NON_HUB_FROM_PRETRAINED =
  /^(torch|nemo|nemo_toolkit|efficientnet_pytorch|fairseq|gluonnlp|allennlp|pytorch_pretrained_bert|pytorch_transformers)(\.|$)/;

/** peft models take the base model first and the adapter repository second. */
const PEFT_MODEL = /^peft\.(\w+\.)*Peft(Mixed)?Model(For\w+)?$/;
const SENTENCE_TRANSFORMERS =
  /^sentence_transformers\.(\w+\.)*(SentenceTransformer|CrossEncoder|SparseEncoder)$/;
const HUB_DOWNLOADS = /^huggingface_hub\.(\w+\.)*(hf_hub_download|snapshot_download)$/;
const LOAD_DATASET = /^datasets\.(\w+\.)*(load_dataset|load_dataset_builder)$/;
const PIPELINE = /^transformers\.(pipelines\.)?pipeline$/;
const TIMM_CREATE = /^timm\.(models\.)?(_factory\.)?create_model$/;
const STATE_DICT_FROM_URL =
  /^(torch\.hub\.load_state_dict_from_url|torch\.utils\.model_zoo\.load_url|torchvision\.models\.utils\.load_state_dict_from_url)$/;
/** Release tags (`v0.10.0`, `1.2`, `v7.0-rc1`): what torch.hub's own documentation pins to. */
const VERSION_TAG = /^v?\d+(\.\d+)+([-.+]?[A-Za-z0-9]+)*$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/i;
/** torch.hub reads the expected sha256 prefix from the file name: `resnet50-0676ba61.pth`. */
const HASH_IN_NAME = /-([a-f0-9]*)\./;

/** How a Hugging Face API names the repository it downloads. */
interface HubLoader {
  /** The repository kind, when the call says it (`repo_type=` of the hub helpers). */
  type: RepoType | undefined;
  id: { index: number; keyword: string };
  /** The keyword that moves the cache (`cache_dir=`), read for the fix. */
  cacheKeyword?: string;
  /** Which names without a namespace the API resolves on the Hub. */
  bare: 'legacy' | 'sentence-transformers' | 'datasets';
  /** ModelScope mirrors the Hugging Face API, revisions included, but has its own cache and site. */
  modelScope?: boolean;
  /** pyannote pins with `"org/name@<sha>"` and rejects a `revision=` keyword: no fix is offered. */
  noRevisionKeyword?: boolean;
}

function hubLoader(semantic: SemanticModel, call: Node): HubLoader | undefined {
  const callee = semantic.calleeName(call);
  const fn = field(call, 'function');
  if (semantic.methodName(call) === 'from_pretrained' || callee?.endsWith('.from_pretrained')) {
    const owner = callee
      ? callee.slice(0, -'.from_pretrained'.length)
      : (semantic.qualifiedName(field(fn, 'object')) ?? '');
    // Libraries with a `from_pretrained` of their own download elsewhere and take no revision.
    if (NON_HUB_FROM_PRETRAINED.test(owner)) return undefined;
    const id = PEFT_MODEL.test(owner)
      ? { index: 1, keyword: 'model_id' }
      : /^tokenizers\.(\w+\.)*Tokenizer$/.test(owner)
        ? { index: 0, keyword: 'identifier' }
        : { index: 0, keyword: 'pretrained_model_name_or_path' };
    const modelScope = /^modelscope(\.|$)/.test(owner);
    const noRevisionKeyword = /^pyannote(\.|$)/.test(owner);
    return {
      type: 'model',
      id,
      cacheKeyword: 'cache_dir',
      bare: 'legacy',
      modelScope,
      noRevisionKeyword,
    };
  }
  if (!callee) return undefined;
  if (PIPELINE.test(callee))
    return { type: 'model', id: { index: 1, keyword: 'model' }, bare: 'legacy' };
  if (SENTENCE_TRANSFORMERS.test(callee))
    return {
      type: 'model',
      id: { index: 0, keyword: 'model_name_or_path' },
      cacheKeyword: 'cache_folder',
      bare: 'sentence-transformers',
    };
  if (HUB_DOWNLOADS.test(callee)) {
    const repoType = keywordArgument(semantic, callArguments(call), 'repo_type');
    const typeName =
      repoType === undefined ||
      (repoType !== 'unknown' && semantic.followName(repoType).type === 'none')
        ? 'model'
        : literalOf(semantic, repoType);
    const type = ['model', 'dataset', 'space'].includes(typeName ?? '')
      ? (typeName as RepoType)
      : undefined;
    return {
      type,
      id: { index: 0, keyword: 'repo_id' },
      cacheKeyword: 'cache_dir',
      bare: 'legacy',
    };
  }
  if (LOAD_DATASET.test(callee))
    return { type: 'dataset', id: { index: 0, keyword: 'path' }, bare: 'datasets' };
  return undefined;
}

/** The literal text of a keyword value (undefined for `'unknown'` or a non-literal). */
function literalOf(semantic: SemanticModel, value: Node | 'unknown'): string | undefined {
  return value === 'unknown' ? undefined : semantic.stringLiteral(value);
}

/** Whether a name bound to a keyword dict is changed after it is built (`kw["revision"] = ...`). */
function isMutated(semantic: SemanticModel, name: Node): boolean {
  const binding = semantic.singleBinding(name);
  const sameDict = (node: Node | null) =>
    node?.type === 'identifier' &&
    node.text === name.text &&
    semantic.singleBinding(node)?.target.id === binding?.target.id;
  for (const assignment of [
    ...semantic.nodes('assignment'),
    ...semantic.nodes('augmented_assignment'),
  ]) {
    const left = field(assignment, 'left');
    if (left?.type === 'subscript' && sameDict(field(left, 'value'))) return true;
  }
  for (const call of semantic.nodes('call')) {
    const fn = field(call, 'function');
    if (fn?.type === 'attribute' && sameDict(field(fn, 'object'))) {
      const method = field(fn, 'attribute')?.text ?? '';
      if (['update', 'setdefault', 'pop', 'popitem', 'clear', '__setitem__'].includes(method))
        return true;
    }
  }
  return false;
}

/**
 * The value a `**kwargs` expression gives to `key`: a dict literal or `dict(...)` bound once and
 * never changed. `'unknown'` when the dict cannot be read (a parameter, a computed dict).
 */
function dictEntry(
  semantic: SemanticModel,
  splat: Node,
  key: string,
): Node | undefined | 'unknown' {
  const dict = semantic.followName(splat);
  if (splat.type === 'identifier' && dict.id !== splat.id && isMutated(semantic, splat))
    return 'unknown';
  if (dict.type === 'dictionary') {
    let found: Node | undefined;
    for (const child of dict.namedChildren) {
      if (child?.type === 'dictionary_splat') return 'unknown';
      if (child?.type !== 'pair') continue;
      const name = semantic.stringLiteral(field(child, 'key'));
      if (name === undefined) return 'unknown';
      if (name === key) found = field(child, 'value') ?? undefined;
    }
    return found;
  }
  const fn = field(dict, 'function');
  if (dict.type === 'call' && fn?.text === 'dict' && semantic.bindingsOf('dict', fn).length === 0) {
    const args = callArguments(dict);
    if (args.positional.length || args.star.length || args.doubleStar.length) return 'unknown';
    return args.keywords.get(key);
  }
  return 'unknown';
}

/**
 * A keyword argument's value, also when it comes by position or from a `**kwargs` dict; `'unknown'`
 * when a `**kwargs` that cannot be read might carry it.
 */
function keywordArgument(
  semantic: SemanticModel,
  args: CallArguments,
  name: string,
  position?: number,
): Node | undefined | 'unknown' {
  const direct = position === undefined ? args.keywords.get(name) : argument(args, position, name);
  if (direct) return direct;
  let found: Node | undefined;
  for (const splat of args.doubleStar) {
    const entry = dictEntry(semantic, splat, name);
    if (entry === 'unknown') return 'unknown';
    found = entry ?? found;
  }
  return found;
}

type Truth = 'true' | 'false' | 'unknown';

function truthOf(semantic: SemanticModel, value: Node | undefined | 'unknown'): Truth {
  if (value === undefined) return 'false';
  if (value === 'unknown') return 'unknown';
  const node = semantic.followName(value);
  if (node.type === 'true') return 'true';
  if (node.type === 'false' || node.type === 'none') return 'false';
  return 'unknown';
}

type Revision =
  /** No revision (or `None`): the default branch. `node` is an explicit None to replace. */
  | { state: 'absent'; node?: Node }
  /** A value that cannot be read (configuration, a parameter): the user's to pin. */
  | { state: 'unknown' }
  | { state: 'pinned' }
  | { state: 'ref'; text: string; node: Node };

function revisionOf(semantic: SemanticModel, args: CallArguments): Revision {
  const value = keywordArgument(semantic, args, 'revision');
  if (value === 'unknown') return { state: 'unknown' };
  if (!value) return { state: 'absent' };
  if (semantic.followName(value).type === 'none') return { state: 'absent', node: value };
  const text = semantic.stringLiteral(value);
  if (text === undefined) return { state: 'unknown' };
  if (FULL_SHA.test(text)) return { state: 'pinned' };
  return { state: 'ref', text, node: value };
}

/** Locations the program itself writes models or data to (`save_pretrained(...)`, `output_dir=`). */
const SAVE_METHODS = new Set(['save_pretrained', 'save_model', 'save', 'save_to_disk']);
const SAVE_KEYWORDS = ['save_directory', 'output_dir', 'local_dir', 'save_dir', 'dataset_path'];

function normalizeLocation(text: string): string {
  return text.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function savedLocations(semantic: SemanticModel): Set<string> {
  const found = new Set<string>();
  const add = (node: Node | undefined) => {
    const text = node && semantic.stringLiteral(node);
    if (text) found.add(normalizeLocation(text));
  };
  for (const call of semantic.nodes('call')) {
    const args = callArguments(call);
    const method = semantic.methodName(call) ?? semantic.calleeName(call)?.split('.').pop();
    if (method && SAVE_METHODS.has(method)) add(args.positional[0]);
    for (const keyword of SAVE_KEYWORDS) add(args.keywords.get(keyword));
  }
  return found;
}

/** Whether a syntactically valid repository id is better read as a local location. */
function looksLocal(repoId: string): boolean {
  const segments = repoId.split('/');
  const name = segments[segments.length - 1];
  if (segments.length === 2 && LOCAL_FOLDERS.has(segments[0].toLowerCase())) return true;
  // Hub user and organization names are letters, digits and dashes: `my_model/clip` is a folder.
  if (segments.length === 2 && /[_.]/.test(segments[0])) return true;
  // Trainer checkpoints (`outputs/checkpoint-500`) and file names are written by the program.
  return /^checkpoint[-_]\d+$/i.test(name) || FILE_NAME.test(name);
}

/** The repository the API downloads for an id: `all-MiniLM-L6-v2` is sentence-transformers'. */
function resolvedRepoId(repoId: string, loader: HubLoader): string {
  if (
    loader.bare === 'sentence-transformers' &&
    !repoId.includes('/') &&
    !LEGACY_MODEL.test(repoId)
  )
    return `sentence-transformers/${repoId}`;
  return repoId;
}

/** Whether a bare name (no namespace) is one the API looks up on the Hub. */
function isBareHubName(repoId: string, loader: HubLoader): boolean {
  if (LOCAL_FOLDERS.has(repoId.toLowerCase())) return false;
  switch (loader.bare) {
    case 'legacy':
      return LEGACY_MODEL.test(repoId);
    case 'sentence-transformers':
      return true;
    case 'datasets':
      return !PACKAGED_BUILDERS.has(repoId.toLowerCase());
  }
}

/** The start of the line holding an offset. */
function lineStartAt(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

function lineEndAt(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return end;
}

/** The statement to put a comment line above: the innermost one that starts its own line. */
function statementStartingLine(text: string, node: Node): Node | undefined {
  let statement = enclosingStatement(node);
  for (let i = 0; i < 20; i++) {
    if (/^[ \t]*$/.test(text.slice(lineStartAt(text, statement.startIndex), statement.startIndex)))
      return statement;
    // `if ready: model = load(...)`: the comment goes above the `if`.
    const block = statement.parent;
    if (!block || block.type === 'module' || !block.parent) return undefined;
    statement = enclosingStatement(block);
  }
  return undefined;
}

/** Adds `name=value` after the last argument, on a line of its own when the call has one per line. */
function addKeyword(
  context: RuleContext,
  args: CallArguments,
  name: string,
  value: string,
): TextEdit {
  const text = context.file.text;
  const list = args.node!;
  const items = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last) return insertAt(list.lastChild!.startIndex, `${name}=${value}`);
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  if (comma && list.lastChild!.startPosition.row > comma.endPosition.row) {
    const indent = indentationAt(text, last.startIndex);
    const end = lineEndAt(text, comma.endIndex);
    return insertAt(end, `${lineBreak(context, end)}${indent}${name}=${value},`);
  }
  return insertAt((comma ?? last).endIndex, `${comma ? ' ' : ', '}${name}=${value}`);
}

/** The quote the user wrote the repository id with, so the inserted revision matches it. */
function quoteOf(node: Node): string {
  const start = node.type === 'string' ? (node.firstChild?.text ?? '') : '';
  return start.endsWith("'") ? "'" : '"';
}

interface HubTarget {
  loader: HubLoader;
  /** The repository the API downloads (`sentence-transformers/all-MiniLM-L6-v2`). */
  repoId: string;
  /** The id as written (`all-MiniLM-L6-v2`). */
  written: string;
  /** The id node at the call (highlighted when no revision is given). */
  idNode: Node;
  type: RepoType | undefined;
  cacheDir: string | undefined;
}

function hubUrl(type: RepoType | undefined, repoId: string, ref: string): string {
  const kind = type === 'dataset' ? 'datasets/' : type === 'space' ? 'spaces/' : '';
  return `https://huggingface.co/${kind}${repoId}/commits/${ref}`;
}

/** The commit of the revision the user already has, from the local Hub cache. */
function cachedRevision(context: RuleContext, target: HubTarget, revision: Revision) {
  const { cacheDir, type, repoId } = target;
  if (!cacheDir || !type) return undefined;
  const ref =
    revision.state === 'ref' && revision.text !== REVISION_PLACEHOLDER ? revision.text : 'main';
  const exact = cachedCommit(context.project, cacheDir, type, repoId, ref);
  if (exact || revision.state !== 'ref' || !SHORT_SHA.test(ref)) return exact;
  return cachedCommitWithPrefix(cacheDir, type, repoId, ref);
}

/** A TODO line above the statement, or the removal of the one a placeholder fix put there. */
function todoEdits(context: RuleContext, call: Node, comment: string | undefined): TextEdit[] {
  const text = context.file.text;
  const statement = statementStartingLine(text, call);
  if (!statement) return [];
  const lineStart = lineStartAt(text, statement.startIndex);
  if (comment !== undefined) {
    const indent = indentationAt(text, statement.startIndex);
    return [insertAt(lineStart, `${indent}${comment}${lineBreak(context, lineStart)}`)];
  }
  if (lineStart === 0) return [];
  // The line break before the statement is one or two characters (CRLF).
  const breakLength = text.slice(lineStart - 2, lineStart) === '\r\n' ? 2 : 1;
  const previousStart = lineStartAt(text, lineStart - breakLength);
  const previous = text.slice(previousStart, lineStart);
  const cell = context.file.notebook?.module.cellAt(lineStart);
  // The TODO line must be in the same cell as the statement.
  if (cell && previousStart < cell.start) return [];
  return previous.trimStart().startsWith(TODO_MARK)
    ? [{ start: previousStart, end: lineStart, newText: '' }]
    : [];
}

function hubFixes(
  context: RuleContext,
  call: Node,
  args: CallArguments,
  target: HubTarget,
  revision: Revision,
): Fix[] {
  const quote = quoteOf(target.idNode);
  const valueNode =
    revision.state === 'ref' || revision.state === 'absent' ? revision.node : undefined;
  const setRevision = (value: string) =>
    valueNode ? replaceNode(valueNode, value) : addKeyword(context, args, 'revision', value);
  const isPlaceholder = revision.state === 'ref' && revision.text === REVISION_PLACEHOLDER;
  const sha = cachedRevision(context, target, revision);
  if (sha) {
    return [
      {
        title: `Pin ${target.repoId} to commit ${sha.slice(0, 12)} from the local Hugging Face cache`,
        safety: 'safe',
        edits: [
          setRevision(`${quote}${sha}${quote}`),
          ...(isPlaceholder ? todoEdits(context, call, undefined) : []),
        ],
      },
    ];
  }
  // A placeholder already in place waits for the user (or for the cache) to fill it.
  if (isPlaceholder) return [];
  const ref = revision.state === 'ref' ? revision.text : 'main';
  const comment = `${TODO_MARK}${target.repoId} to a full commit sha: ${hubUrl(target.type, target.repoId, ref)}`;
  return [
    {
      title: `Insert a revision placeholder for ${target.repoId} (fill in the commit sha)`,
      safety: 'unsafe',
      edits: [
        setRevision(`${quote}${REVISION_PLACEHOLDER}${quote}`),
        ...todoEdits(context, call, comment),
      ],
    },
  ];
}

function revisionMessage(target: HubTarget, revision: Revision): string {
  const resolved = target.written === target.repoId ? '' : ` (${target.repoId})`;
  const what = `${target.type === 'dataset' ? 'dataset ' : ''}"${target.written}"${resolved}`;
  const pin = 'pin a full 40-hex commit sha';
  const hub = target.loader.modelScope ? 'ModelScope' : 'the Hugging Face Hub';
  if (revision.state !== 'ref')
    return `${what} is downloaded from ${hub} without a pinned revision, so it can change under you: ${pin} (revision=...)`;
  const { text } = revision;
  if (text === REVISION_PLACEHOLDER)
    return `The revision of ${what} is still the placeholder "${REVISION_PLACEHOLDER}": replace it with the commit sha to pin`;
  if (text === 'main' || text === 'master')
    return `revision="${text}" of ${what} is a branch, which moves with every push: ${pin}`;
  if (SHORT_SHA.test(text))
    return `revision="${text}" of ${what} is a short commit sha, which can become ambiguous: ${pin}`;
  return `revision="${text}" of ${what} is a branch or tag, which can be moved: ${pin}`;
}

function shown(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export const unpinnedPretrainedModel = defineRule({
  code: 'MLH402',
  name: 'unpinned-pretrained-model',
  family: 'artifacts',
  severity: { script: 'warning', notebook: 'information', test: 'off' },
  fix: 'sometimes',
  triggers: [
    'pretrained',
    'pipeline',
    'SentenceTransformer',
    'CrossEncoder',
    'SparseEncoder',
    'hub',
    'load_dataset',
    'load_url',
    'weights',
  ],
  docs: {
    summary:
      'A pretrained model or dataset is downloaded from a hub without pinning the exact version.',
    why:
      '`AutoModel.from_pretrained("bert-base-uncased")` downloads whatever the repository holds ' +
      'today. When its owner pushes new weights, a new tokenizer or a fixed config, the next ' +
      'deployment, retraining or container build silently gets a different model: predictions ' +
      'shift, experiments stop reproducing, and nobody can say which model served a request. ' +
      'Branches and tags (`"main"`, `"v1.0"`) can be moved; only a full commit sha cannot. The same ' +
      'holds for `torch.hub.load("owner/repo")` (the default branch of a GitHub repository), for ' +
      '`load_state_dict_from_url` without `check_hash=True` (no integrity check), for ' +
      '`timm.create_model(..., pretrained=True)` and for torchvision weights left implicit ' +
      '(`pretrained=True`, `weights=...DEFAULT`).',
    howToFix:
      'Pass `revision="<40-hex commit sha>"` to Hugging Face loaders (`from_pretrained`, ' +
      '`pipeline`, `SentenceTransformer`, `hf_hub_download`, `snapshot_download`, `load_dataset`); ' +
      'the sha is on the repository\'s "Files and versions" page, or in the local cache ' +
      '(`~/.cache/huggingface/hub/models--org--name/refs/main`). Load torch.hub models from ' +
      '`"owner/repo:<tag or sha>"`, pass `check_hash=True` to `load_state_dict_from_url`, use ' +
      '`"hf-hub:org/name@<sha>"` with timm and name torchvision weights explicitly ' +
      '(`weights=ResNet50_Weights.IMAGENET1K_V2`). Local paths and ids that come from ' +
      'configuration are not reported: pin them where they are configured.',
    fixSafety:
      'When the repository is in the local Hugging Face cache (`$HF_HUB_CACHE`, `$HF_HOME/hub` or ' +
      '`~/.cache/huggingface/hub`), the fix inserts `revision="<sha>"` with the commit the cache ' +
      'holds for that branch or tag: the version you already run, so the fix is safe. Otherwise it ' +
      `inserts the placeholder \`revision="${REVISION_PLACEHOLDER}"\` with a TODO comment linking to ` +
      'the commit history; the placeholder fails at load time until it is replaced and stays ' +
      'reported, so that fix is unsafe. It never inserts `"main"`. `check_hash=True` is offered ' +
      'when the file name carries a hash (`resnet50-0676ba61.pth`); it is unsafe because a file ' +
      'whose sha256 does not start with that hex then fails to download.',
    options:
      'None. Ids read from configuration (`args.model_name`, environment variables) and revisions ' +
      'that are not literals are not reported; torch.hub release tags (`"owner/repo:v1.2"`) are ' +
      'accepted.',
    examples: {
      invalid: [
        py`
          from transformers import AutoModelForSequenceClassification

          model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        `,
        py`
          from datasets import load_dataset

          reviews = load_dataset("stanfordnlp/imdb", revision="main")
        `,
        py`
          import torch

          detector = torch.hub.load("ultralytics/yolov5", "yolov5s")
        `,
        py`
          from torchvision import models

          backbone = models.resnet50(pretrained=True)
        `,
      ],
      valid: [
        py`
          from transformers import AutoModel

          model = AutoModel.from_pretrained(
              "google-bert/bert-base-uncased",
              revision="86b5e0934494bd15c9632b12f734a8a67f723594",
          )
        `,
        py`
          from transformers import AutoModel

          model = AutoModel.from_pretrained("./checkpoints/churn-bert")
        `,
        py`
          import torch

          model = torch.hub.load("pytorch/vision:v0.10.0", "resnet18")
        `,
        py`
          from torchvision.models import ResNet50_Weights, resnet50

          backbone = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    let saved: Set<string> | undefined;
    const env = context.project.env;

    /** The cache folder a call downloads into: its `cache_dir=` when given, else the environment's. */
    const cacheDirFor = (args: CallArguments, loader: HubLoader): string | undefined => {
      // An untrusted workspace's code does not get to make the linter read outside it.
      if (context.project.confined) return undefined;
      const given = loader.cacheKeyword
        ? keywordArgument(semantic, args, loader.cacheKeyword)
        : undefined;
      if (
        given === undefined ||
        (given !== 'unknown' && semantic.followName(given).type === 'none')
      )
        return hubCacheDir(env);
      const text = literalOf(semantic, given);
      const expanded = text && expandHome(text, env);
      if (!expanded) return undefined;
      return /^([\\/]|[A-Za-z]:)/.test(expanded) || !context.project.root
        ? expanded
        : join(context.project.root, expanded);
    };

    /** The repository a Hugging Face call downloads, when its id is a literal Hub id. */
    const hubTarget = (
      args: CallArguments,
      loader: HubLoader,
      idNode = argument(args, loader.id.index, loader.id.keyword),
    ): HubTarget | undefined => {
      if (!idNode) return undefined;
      // Only literal ids: paths, `Path` objects and configuration values are not judged.
      const value = semantic.resolveValue(idNode);
      if (!value || value.isPath || value.parts.some((p) => p.kind === 'hole')) return undefined;
      const text = value.parts.map((p) => (p.kind === 'literal' ? p.text : '')).join('');
      if (!REPO_ID.test(text) || /--|\.\./.test(text) || text.endsWith('.git')) return undefined;
      // A folder of the project, or one the program saves to, is loaded from disk first.
      if (isProjectDirectory(context.project, context.file.path, text)) return undefined;
      saved ??= savedLocations(semantic);
      if ([...saved].some((s) => text === s || text.startsWith(`${s}/`))) return undefined;
      const repoId = resolvedRepoId(text, loader);
      const cacheDir = cacheDirFor(args, loader);
      const type = loader.type;
      // The cache holding the repository proves it is one; else the id's shape must say so.
      const cached = !!cacheDir && !!type && isCachedRepo(cacheDir, type, repoId);
      if (!cached) {
        if (looksLocal(text)) return undefined;
        if (!text.includes('/') && !isBareHubName(text, loader)) return undefined;
      }
      return { loader, repoId, written: text, idNode, type, cacheDir };
    };

    const checkHub = (call: Node, args: CallArguments, loader: HubLoader, idNode?: Node): void => {
      const target = hubTarget(args, loader, idNode);
      if (!target) return;
      const revision = revisionOf(semantic, args);
      // A full sha is pinned; a revision read from configuration is the configuration's to pin.
      if (revision.state === 'pinned' || revision.state === 'unknown') return;
      context.report({
        node: revision.state === 'ref' ? revision.node : (revision.node ?? target.idNode),
        message: revisionMessage(target, revision),
        // ModelScope keeps its own cache, which the fix does not read; pyannote takes no revision=.
        fixes:
          loader.modelScope || loader.noRevisionKeyword
            ? []
            : hubFixes(context, call, args, target, revision),
      });
    };

    /** `pipeline("task")` without a model downloads the task's default model. */
    const checkPipeline = (call: Node, args: CallArguments, loader: HubLoader): void => {
      const model = keywordArgument(semantic, args, 'model', 1);
      if (model === 'unknown') return;
      if (model) return checkHub(call, args, loader, model);
      // Only a literal task: a pipeline built from configuration is not judged.
      const task = semantic.stringLiteral(argument(args, 0, 'task'));
      if (!task) return;
      context.report({
        node: field(call, 'function')!,
        message: `pipeline("${shown(task)}") without a model downloads the task's default model, which changes with the transformers version: name the model and pin its revision`,
      });
    };

    const checkTorchHub = (args: CallArguments): void => {
      const repoNode = argument(args, 0, 'repo_or_dir');
      // `source="local"` loads a folder; a source read from configuration is not judged.
      const source = keywordArgument(semantic, args, 'source');
      if (source !== undefined && literalOf(semantic, source) !== 'github') return;
      const repo = semantic.stringLiteral(repoNode);
      const match = repo && /^([\w.-]+)\/([\w.-]+)(?::(.+))?$/.exec(repo);
      if (!repoNode || !repo || !match) return;
      if (isProjectDirectory(context.project, context.file.path, repo)) return;
      const ref = match[3];
      // A commit sha or a release tag names one version of the code and the weights it downloads.
      if (ref && (FULL_SHA.test(ref) || VERSION_TAG.test(ref))) return;
      const repoName = `${match[1]}/${match[2]}`;
      context.report({
        node: repoNode,
        message: !ref
          ? `torch.hub.load("${shown(repo)}") runs the default branch of ${repoName}, which moves with every push: pin a release tag or a full commit sha ("${repoName}:<tag or sha>")`
          : SHORT_SHA.test(ref)
            ? `torch.hub.load("${shown(repo)}") pins a short commit sha, which can become ambiguous: use the full 40-hex sha or a release tag`
            : `torch.hub.load("${shown(repo)}") follows the branch "${shown(ref)}", which moves with every push: pin a release tag or a full commit sha`,
      });
    };

    const checkStateDictUrl = (call: Node, args: CallArguments, callee: string): void => {
      const checkHash = keywordArgument(semantic, args, 'check_hash', 4);
      // check_hash=True verifies the download; a value from configuration is not judged.
      if (truthOf(semantic, checkHash) !== 'false') return;
      const fileName = keywordArgument(semantic, args, 'file_name', 5);
      const url = semantic.stringLiteral(argument(args, 0, 'url'));
      const name =
        fileName === undefined
          ? url
              ?.replace(/[?#].*$/, '')
              .split('/')
              .pop()
          : literalOf(semantic, fileName);
      const hash = name ? HASH_IN_NAME.exec(name)?.[1] : undefined;
      // Only a hash torch can check: long enough and not a date (`model-20240101.pth`).
      const checkable = !!hash && hash.length >= 8 && /[a-f]/.test(hash);
      const existing = checkHash && checkHash !== 'unknown' ? checkHash : undefined;
      context.report({
        node: field(call, 'function')!,
        message: checkable
          ? `${callee.split('.').pop()} without check_hash=True does not verify the downloaded weights against the hash in "${shown(name!)}": pass check_hash=True`
          : `${callee.split('.').pop()} downloads weights without any integrity check: host them with a hash in the file name and pass check_hash=True, or pin them on a hub by commit`,
        fixes:
          checkable && args.node
            ? [
                {
                  title: 'Verify the download (check_hash=True)',
                  safety: 'unsafe',
                  edits: [
                    existing
                      ? replaceNode(existing, 'True')
                      : addKeyword(context, args, 'check_hash', 'True'),
                  ],
                },
              ]
            : [],
      });
    };

    const checkTimm = (args: CallArguments): void => {
      const pretrained = keywordArgument(semantic, args, 'pretrained', 1);
      if (truthOf(semantic, pretrained) !== 'true') return;
      // Weights taken from a configured file or config are the user's choice, not the hub's default.
      for (const keyword of ['pretrained_cfg_overlay', 'pretrained_cfg']) {
        const given = keywordArgument(semantic, args, keyword);
        if (given === 'unknown') return;
        if (given && semantic.followName(given).type !== 'none') return;
      }
      const nameNode = argument(args, 0, 'model_name');
      const name = semantic.stringLiteral(nameNode);
      const hubName = name ? /^hf[-_]hub:([^@]+)(?:@(.+))?$/.exec(name) : null;
      if (hubName?.[2] && FULL_SHA.test(hubName[2])) return;
      const node = pretrained as Node;
      const highlighted =
        node.parent?.type === 'keyword_argument' || node.parent?.type === 'pair'
          ? node.parent
          : node;
      let fixes: Fix[] = [];
      const cacheDir = hubCacheDir(env);
      const content =
        nameNode?.type === 'string'
          ? nameNode.namedChildren.filter(
              (c) => c?.type !== 'string_start' && c?.type !== 'string_end',
            )
          : [];
      // The fix rewrites a plain `"hf-hub:org/name"` literal to the cached commit.
      if (hubName && cacheDir && content.length === 1 && content[0]?.type === 'string_content') {
        const sha = cachedCommit(
          context.project,
          cacheDir,
          'model',
          hubName[1],
          hubName[2] ?? 'main',
        );
        const prefix = name!.slice(0, name!.indexOf(':') + 1);
        if (sha)
          fixes = [
            {
              title: `Pin ${hubName[1]} to commit ${sha.slice(0, 12)} from the local Hugging Face cache`,
              safety: 'safe',
              edits: [replaceNode(content[0], `${prefix}${hubName[1]}@${sha}`)],
            },
          ];
      }
      context.report({
        node: highlighted,
        message: hubName
          ? `timm.create_model("${shown(name!)}", pretrained=True) downloads weights from the Hugging Face Hub without a pinned commit: append "@<40-hex commit sha>" to the name`
          : `timm.create_model(..., pretrained=True) downloads the default weights from the Hugging Face Hub, unpinned: load "hf-hub:<org/name>@<40-hex commit sha>" or a local checkpoint`,
        fixes,
      });
    };

    const checkTorchvision = (args: CallArguments): void => {
      for (const keyword of ['pretrained', 'pretrained_backbone']) {
        const value = args.keywords.get(keyword);
        if (truthOf(semantic, value) !== 'true') continue;
        context.report({
          node: value!.parent!,
          message: `torchvision \`${keyword}=True\` is deprecated and leaves the weights implicit: name them explicitly (e.g. \`weights=ResNet50_Weights.IMAGENET1K_V1\`)`,
        });
        return;
      }
      for (const keyword of ['weights', 'weights_backbone']) {
        const value = args.keywords.get(keyword);
        if (!value) continue;
        const node = semantic.followName(value);
        const isDefault =
          (node.type === 'attribute' && field(node, 'attribute')?.text === 'DEFAULT') ||
          semantic.stringLiteral(node)?.replace(/^\w+_Weights\./, '') === 'DEFAULT';
        if (!isDefault) continue;
        context.report({
          node: value.parent!,
          message: `torchvision \`${keyword}=...DEFAULT\` means the best weights of the installed torchvision version, which change between releases: name them explicitly (e.g. \`IMAGENET1K_V2\`)`,
        });
        return;
      }
    };

    return {
      call(call) {
        const args = callArguments(call);
        // Calls with no argument list (`f(x for x in y)`) name no repository.
        if (args.node?.type !== 'argument_list') return;
        const callee = semantic.calleeName(call) ?? '';
        const loader = hubLoader(semantic, call);
        if (loader && PIPELINE.test(callee)) return checkPipeline(call, args, loader);
        if (loader) return checkHub(call, args, loader);
        if (callee === 'torch.hub.load') return checkTorchHub(args);
        if (STATE_DICT_FROM_URL.test(callee)) return checkStateDictUrl(call, args, callee);
        if (TIMM_CREATE.test(callee)) return checkTimm(args);
        if (callee.startsWith('torchvision.models.')) return checkTorchvision(args);
      },
    };
  },
});
