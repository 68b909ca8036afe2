import type { Node } from 'web-tree-sitter';
import { addSetupLines, importLines, replaceNode } from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import { callArguments, field } from '../semantic/nodes';
import { describeLocation } from '../engine/source';
import {
  credentialStrength,
  envNameFor,
  findTokens,
  isGenericEnvName,
  judgeValue,
  mask,
  nameWords,
  WANDB_KEY,
  type CredentialStrength,
  type TokenKind,
  type TokenMatch,
  type ValueJudgement,
} from './shared/secrets';
import { defineRule, py, type Fix, type RuleContext, type TextEdit } from './types';

/** Calls that write the environment variable named by their first argument. */
const ENV_WRITES = new Set(['os.environ.setdefault', 'os.putenv']);
/** Calls that read the environment variable named by their first argument (default second). */
const ENV_READS = new Set(['os.environ.get', 'os.getenv', 'os.environ.pop']);

/** Where a string literal sits: the name its value is bound to, and how to say it. */
interface LiteralContext {
  /** The variable, attribute, keyword, parameter, dictionary key or environment variable. */
  name?: string;
  /** How the message says where the value goes: `assigned to API_KEY`, `passed as token=`. */
  where: string;
  /** The value is an argument (`api_key="OPENAI_API_KEY"` is then a mistake worth a hint). */
  argument?: boolean;
  /** The qualified name of the call that receives the literal, if any. */
  callee?: string;
  /** The literal is written into `os.environ`: the statement that does it (the fix removes it). */
  environ?: { statement: Node | null };
  /** The literal is the default of an environment lookup: the lookup (the fix drops the default). */
  envRead?: Node;
  /** A bare string statement (a docstring): nothing to replace it with. */
  bare?: boolean;
  /** The dictionary holding a `"key": value` pair, for kaggle.json documents. */
  dictionary?: Node;
}

/** The value of a string literal without interpolations or a bytes prefix. */
function plainValue(semantic: SemanticModel, literal: Node): string | undefined {
  const parts = literal.type === 'concatenated_string' ? literal.namedChildren : [literal];
  if (parts.some((p) => !p || /^[A-Za-z]*[bB]/.test(p.firstChild?.text ?? ''))) return undefined;
  return semantic.stringLiteral(literal);
}

function isLiteral(node: Node | null | undefined): node is Node {
  return node?.type === 'string' || node?.type === 'concatenated_string';
}

/** The call an argument list belongs to. */
function callNode(argumentList: Node | null | undefined): Node | undefined {
  const call = argumentList?.type === 'argument_list' ? argumentList.parent : null;
  return call?.type === 'call' ? call : undefined;
}

/**
 * The qualified name of a call, resolved on first use: most literals never need it, and resolving
 * every argument's callee would cost more than the rest of the rule.
 */
function lazyCallee(semantic: SemanticModel, call: Node | undefined): () => string | undefined {
  let resolved: { name: string | undefined } | undefined;
  return () => (resolved ??= { name: call && semantic.calleeName(call) }).name;
}

/**
 * A string key that reads as a name (`"api_key"`, `"X-Api-Key"`), not a type or a path such as
 * `"AWS::IAM::AccessKey"`.
 */
function keyName(semantic: SemanticModel, key: Node | null): string | undefined {
  const text = semantic.stringLiteral(key);
  return text !== undefined && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(text) ? text : undefined;
}

function statementOf(node: Node): Node | null {
  return node.parent?.type === 'expression_statement' ? node.parent : null;
}

function contextOf(semantic: SemanticModel, literal: Node): LiteralContext {
  const parent = literal.parent;
  switch (parent?.type) {
    case 'assignment': {
      const left = field(parent, 'left');
      if (field(parent, 'right')?.id !== literal.id || !left) break;
      if (left.type === 'identifier') return { name: left.text, where: `assigned to ${left.text}` };
      if (left.type === 'attribute') {
        const name = field(left, 'attribute')?.text;
        return { name, where: `assigned to ${left.text}` };
      }
      if (left.type === 'subscript') {
        const key = keyName(semantic, field(left, 'subscript'));
        if (key === undefined) break;
        if (semantic.qualifiedName(field(left, 'value')) === 'os.environ')
          return {
            name: key,
            where: `set in os.environ["${key}"]`,
            environ: { statement: statementOf(parent) },
          };
        return { name: key, where: `stored under "${key}"` };
      }
      break;
    }
    case 'keyword_argument': {
      if (field(parent, 'value')?.id !== literal.id) break;
      const name = field(parent, 'name')?.text;
      const callee = lazyCallee(semantic, callNode(parent.parent));
      return {
        name,
        where: `passed as ${name}=`,
        argument: true,
        get callee() {
          return callee();
        },
        get environ() {
          return callee() === 'os.environ.update' ? { statement: null } : undefined;
        },
      };
    }
    case 'default_parameter':
    case 'typed_default_parameter': {
      const name = field(parent, 'name')?.text;
      return { name, where: `as the default of parameter ${name}`, argument: true };
    }
    case 'pair': {
      if (field(parent, 'value')?.id !== literal.id) break;
      const key = keyName(semantic, field(parent, 'key'));
      if (key === undefined) break;
      const callee = lazyCallee(semantic, callNode(parent.parent?.parent));
      return {
        name: key,
        dictionary: parent.parent ?? undefined,
        get where() {
          return callee() === 'os.environ.update'
            ? `set in os.environ["${key}"]`
            : `in the "${key}" entry`;
        },
        get environ() {
          return callee() === 'os.environ.update' ? { statement: null } : undefined;
        },
      };
    }
    case 'argument_list': {
      const call = callNode(parent);
      if (!call) break;
      const callee = lazyCallee(semantic, call);
      const args = callArguments(call);
      const variable = semantic.stringLiteral(args.positional[0]);
      if (args.positional[1]?.id === literal.id && variable !== undefined) {
        if (ENV_WRITES.has(callee() ?? ''))
          return {
            name: variable,
            where: `set in os.environ["${variable}"]`,
            environ: { statement: statementOf(call) },
          };
        if (ENV_READS.has(callee() ?? ''))
          return {
            name: variable,
            where: `as the default of ${callee()}("${variable}")`,
            envRead: call,
          };
      }
      return {
        get where() {
          return `passed to ${callee() ?? 'a call'}`;
        },
        get callee() {
          return callee();
        },
      };
    }
    case 'expression_statement':
      return { where: 'in a string statement', bare: true };
  }
  return { where: 'in a string literal' };
}

/** A name's credential strength, also for the few calls whose generic keyword is a secret. */
function strengthOf(context: LiteralContext): CredentialStrength | undefined {
  if (!context.name) return undefined;
  if (context.name === 'key' && context.callee === 'wandb.login') return 'key';
  return credentialStrength(context.name);
}

/**
 * Token kinds that only their context reveals: 40 hex digits given to W&B, 32 given to Kaggle as
 * `key` next to a `username` (a kaggle.json document) or under a Kaggle-named variable.
 */
function contextualKind(
  semantic: SemanticModel,
  context: LiteralContext,
  value: string,
): TokenKind | undefined {
  if (!/^(?:[0-9a-f]{32}|[0-9a-f]{40})$/.test(value)) return undefined;
  const words = context.name ? nameWords(context.name) : [];
  const wandb = context.callee === 'wandb.login' || words.includes('wandb');
  if (wandb && /^[0-9a-f]{40}$/.test(value) && WANDB_KEY.isReal(value)) return WANDB_KEY;
  if (!/^[0-9a-f]{32}$/.test(value)) return undefined;
  const kaggle = findTokens(`"username" "key": "${value}"`)[0];
  if (!kaggle?.real) return undefined;
  if (words.includes('kaggle')) return kaggle.kind;
  const hasUsername = context.dictionary?.namedChildren.some(
    (pair) => pair?.type === 'pair' && semantic.stringLiteral(field(pair, 'key')) === 'username',
  );
  return context.name === 'key' && hasUsername ? kaggle.kind : undefined;
}

/** `Bearer <secret>` / `Token <secret>` / `Basic <secret>` under an `Authorization` header. */
function authorizationSecret(context: LiteralContext, value: string): ValueJudgement {
  if (!context.name || !/^(?:proxy[-_])?authorization$/i.test(context.name)) return undefined;
  const scheme = /^(?:bearer|token|basic)\s+(\S+)$/i.exec(value.trim());
  return scheme ? judgeValue(scheme[1], 'key') : undefined;
}

/** A literal's text with f-string interpolations blanked: strings inside them are judged alone. */
function withoutInterpolations(literal: Node): string {
  let text = literal.text;
  if (!text.includes('{')) return text;
  for (const hole of literal.descendantsOfType('interpolation')) {
    if (!hole) continue;
    const start = hole.startIndex - literal.startIndex;
    const end = hole.endIndex - literal.startIndex;
    text = text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
  }
  return text;
}

/** `a` or `an`, by how the label is spoken (`an AWS`, `an OpenAI`, `a Hugging Face`). */
function article(label: string): string {
  return /^[AEIOU]/.test(label) ? 'an' : 'a';
}

function quoted(secret: string): string {
  const shown = mask(secret);
  return shown ? ` "${shown}"` : '';
}

/**
 * The environment variable each secret is read from. A service's name (`HF_TOKEN`) or a specific
 * variable's (`DB_PASSWORD`) stands for one account and is shared by every literal it names. A
 * generic name (`PASSWORD`, `TOKEN`) is given to one secret only: another value, or a name the file
 * already reads with `os.environ["X"]` (as an earlier fix wrote it), moves on to `PASSWORD_2`.
 */
class SecretNames {
  private readonly byValue = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(semantic: SemanticModel) {
    for (const subscript of semantic.nodes('subscript')) {
      if (semantic.qualifiedName(field(subscript, 'value')) !== 'os.environ') continue;
      // `os.environ["X"] = ...` writes the variable; only reads claim its name.
      const parent = subscript.parent;
      if (parent?.type === 'assignment' && field(parent, 'left')?.id === subscript.id) continue;
      const name = semantic.stringLiteral(field(subscript, 'subscript'));
      if (name) this.taken.add(name);
    }
  }

  nameFor(secret: string, preferred: string): string {
    if (!isGenericEnvName(preferred)) return preferred;
    const known = this.byValue.get(secret);
    if (known) return known;
    let name = preferred;
    for (let n = 2; this.taken.has(name); n++) name = `${preferred}_${n}`;
    this.taken.add(name);
    this.byValue.set(secret, name);
    return name;
  }
}

/** Deletes a top-level statement with its line, keeping the edit inside its notebook cell. */
function deleteStatement(context: RuleContext, statement: Node): TextEdit | undefined {
  // Only a statement of its own at module level can go without leaving an empty block.
  if (statement.parent?.type !== 'module') return undefined;
  const text = context.file.text;
  const lineStart = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  if (text.slice(lineStart, statement.startIndex).trim()) return undefined;
  const cell = context.file.notebook?.module.cellAt(statement.startIndex);
  const limit = cell ? cell.start + cell.source.length : text.length;
  let end = statement.endIndex;
  while (end < limit && text[end] !== '\n') end++;
  // The line break after the statement goes too, unless it separates two notebook cells.
  if (end < limit) end++;
  return { start: lineStart, end, newText: '' };
}

function fixFor(
  context: RuleContext,
  names: () => SecretNames,
  literal: Node,
  value: string | undefined,
  literalContext: LiteralContext,
  kind: TokenKind | undefined,
): Fix[] {
  // Bytes, f-strings and bare string statements have no environment equivalent to swap in.
  if (value === undefined || literalContext.bare) return [];
  if (literalContext.environ) {
    const statement = literalContext.environ.statement;
    const removal = statement ? deleteStatement(context, statement) : undefined;
    if (!removal) return [];
    return [
      {
        title: `Remove the hardcoded value; set ${literalContext.name} outside the program`,
        safety: 'unsafe',
        edits: [removal],
      },
    ];
  }
  if (literalContext.envRead) {
    return [
      {
        title: `Read ${literalContext.name} from the environment without a hardcoded default`,
        safety: 'unsafe',
        edits: [
          replaceNode(literalContext.envRead, `os.environ["${literalContext.name}"]`),
          ...addSetupLines(context, importLines(context, ['os'])),
        ],
      },
    ];
  }
  // The binding's own name, when it says credential; otherwise the token's kind names it.
  const named = strengthOf(literalContext) ? literalContext.name : undefined;
  const name = names().nameFor(value, envNameFor(named, kind, literalContext.callee));
  return [
    {
      title: `Read the secret from the environment variable ${name}`,
      safety: 'unsafe',
      edits: [
        replaceNode(literal, `os.environ["${name}"]`),
        ...addSetupLines(context, importLines(context, ['os'])),
      ],
    },
  ];
}

/** The offset range of a notebook cell's first line, where findings about the whole cell go. */
function firstLineOf(cell: { start: number; source: string }): { start: number; end: number } {
  const line = /^[^\r\n]*/.exec(cell.source)![0];
  return { start: cell.start, end: cell.start + line.length };
}

/** Credential-named variables set by `%env NAME=value`, `%set_env NAME value` or `export NAME=v`. */
const MAGIC_ASSIGNMENTS = [
  /^%(?:set_)?env\s+([A-Za-z_]\w*)\s*[= ]\s*(\S+)/,
  /(?:^!|[\s;&])export\s+([A-Za-z_]\w*)=(\S+)/,
];
const WANDB_LOGIN = /\bwandb\s+login\s+(?:--?\S+\s+)*([0-9a-f]{40})\b/;

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

export const hardcodedSecret = defineRule({
  code: 'MLH601',
  name: 'hardcoded-secret',
  family: 'secrets',
  severity: { script: 'error', notebook: 'error', test: 'error' },
  fix: 'sometimes',
  docs: {
    summary: 'An API token, key or password is written into the code or a notebook output.',
    why:
      'A token in a script or notebook travels with every copy: git history, shared notebooks, ' +
      'Docker images, Colab links, CI logs. Anyone who reads it can spend your OpenAI budget, push ' +
      'to your Hugging Face models or read your S3 buckets, and deleting the line later does not ' +
      'remove it from history. Notebooks leak a second way: a cell that printed a token keeps it in ' +
      'its stored output even after the code is fixed.',
    howToFix:
      'Revoke the exposed token first, then read the value from the environment ' +
      '(`os.environ["HF_TOKEN"]`), a `.env` file kept out of version control, or a secret manager. ' +
      'For a token in a notebook output, clear the outputs (Jupyter: Edit → Clear All Outputs; ' +
      '`jupyter nbconvert --clear-output --inplace nb.ipynb`) before sharing or committing.\n\n' +
      'What is reported, as an error: token shapes anywhere in strings, comments, notebook magics ' +
      'and stored outputs — Hugging Face `hf_…`, OpenAI `sk-…`/`sk-proj-…`, Anthropic `sk-ant-…`, ' +
      'AWS access key IDs `AKIA…`/`ASIA…`, GitHub `ghp_`/`gho_`/`ghs_`/`github_pat_…`, Slack ' +
      '`xox[baprs]-…`, Google `AIza…`, 40 hex digits given to `wandb.login(key=)` or `wandb login`, ' +
      'and the 32-hex `key` of a kaggle.json document or a Kaggle-named variable. As a warning: ' +
      'other literals bound to a credential name — a keyword argument, parameter default, ' +
      'assignment, dictionary entry or `os.environ[...] =` / `os.environ.setdefault` / `os.putenv` ' +
      'named like `password`, `passwd`, `*_secret`, `secret_key`, `api_key`, `access_token`, ' +
      '`*_API_KEY`, `HF_TOKEN` — and an `Authorization` header with a literal `Bearer …`. As a ' +
      'hint: obvious placeholders there (`"YOUR_API_KEY"`, `"<token>"`, `"xxx"`, `"changeme"`, ' +
      '`"sk-..."`, `"hf_xxxx…"`, an environment variable\'s name passed as the value).\n\n' +
      'What is not: environment lookups (their defaults included, unless token-shaped), empty ' +
      'strings, names of data rather than credentials (`SORT_KEY`, `key=` for sorting, `pad_token`, ' +
      '`eos_token`, `next_token`, `tokenizer=`), special tokens such as `"<unk>"` or `"[PAD]"`, paths, ' +
      'URLs and prose, field names such as `"aws_secret_access_key"`, hashes, UUIDs and git SHAs, ' +
      'fake-looking tokens (`AKIAIOSFODNN7EXAMPLE`, repeated or sequential characters), and the ' +
      '"no key" values of local OpenAI-compatible servers (`"EMPTY"`, `"ollama"`). Test files get ' +
      'only the token shapes: their other credentials are fixtures. Messages never show more than ' +
      "a secret's first four characters.",
    fixSafety:
      'The fix replaces the literal with `os.environ["NAME"]` and adds `import os` once. The name ' +
      'comes from the variable or keyword (`DB_PASSWORD`); a generic one takes the service of the ' +
      'token or of the called library (`token=` in `huggingface_hub.login` → `HF_TOKEN`, `key=` in ' +
      '`wandb.login` → `WANDB_API_KEY`), else the token kind names it (`OPENAI_API_KEY`, ' +
      '`AWS_ACCESS_KEY_ID`, `GITHUB_TOKEN`, `KAGGLE_KEY`, …). Different secrets under a generic name ' +
      'get different variables (`PASSWORD`, `PASSWORD_2`). A top-level `os.environ[...] = "…"` ' +
      'statement is removed instead, and an environment lookup loses its hardcoded default. All ' +
      'are unsafe: the program then needs the variable set and raises `KeyError` without it. ' +
      'Tokens inside longer strings, comments, magics and outputs have no fix; for outputs, clear ' +
      'them.',
    examples: {
      invalid: [
        py`
          from huggingface_hub import login

          login(token="hf_JhB3Z45HGr1lMegDZDQPYhJd0qr75asKNk")
        `,
        py`
          from openai import OpenAI

          OPENAI_API_KEY = "sk-proj-JwN7oUkJMIG0rZmKxCsvuko0UmrgkVdaGIYFG86x4xLQfaXI"
          client = OpenAI(api_key=OPENAI_API_KEY)
        `,
        py`
          import psycopg2

          conn = psycopg2.connect(host="warehouse", user="etl", password="Tr41n1ng-Db!")
        `,
      ],
      valid: [
        py`
          import os

          from huggingface_hub import login

          login(token=os.environ["HF_TOKEN"])
          api_key = os.getenv("OPENAI_API_KEY", "")
        `,
        py`
          PAD_TOKEN = "[PAD]"
          EOS_TOKEN = "</s>"
          SORT_KEY = "created_at"
          rows.sort(key="id")
          tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
        `,
      ],
    },
  },
  // Every report needs a token shape (by its prefix; the Kaggle one by its "key"), a credential
  // name (`password`, `passwd`, `pwd`, `secret`, `key`, `token`, `Authorization`) or a W&B / Kaggle
  // context; names are judged whatever their case, hence lower-case matching.
  triggers: [
    'key',
    'token',
    'pass',
    'pwd',
    'secret',
    'auth',
    'wandb',
    'kaggle',
    'hf_',
    'sk-',
    'akia',
    'asia',
    'aiza',
    'ghp_',
    'gho_',
    'ghu_',
    'ghs_',
    'ghr_',
    'github_pat_',
    'xox',
  ],
  triggersIgnoreCase: true,
  create(context) {
    const { semantic, file } = context;
    // Test files are full of fake credentials; only real-looking token shapes count there.
    const shapesOnly = file.scope === 'test';
    const reported = new Set<number>();
    let secretNames: SecretNames | undefined;
    const names = () => (secretNames ??= new SecretNames(semantic));

    const reportToken = (
      literal: Node,
      value: string | undefined,
      literalContext: LiteralContext,
      kind: TokenKind,
      secret: string,
    ) => {
      const action = literalContext.environ
        ? 'set the variable outside the program'
        : 'load it from the environment';
      context.report({
        node: literal,
        message: `Hardcoded ${kind.label}${quoted(secret)} ${literalContext.where}; ${action} and revoke the exposed token`,
        fixes: fixFor(context, names, literal, value, literalContext, kind),
      });
    };

    /** Judges a literal by the name it is bound to; true when it reported. */
    const checkNamed = (literal: Node, value: string, literalContext: LiteralContext): boolean => {
      // Environment lookups with a default are configuration; only token shapes count there.
      if (literalContext.envRead) return false;
      const strength = strengthOf(literalContext);
      // A credential name judges the value; an `Authorization` header judges its scheme's secret.
      const judgement = strength
        ? judgeValue(value, strength, {
            name: literalContext.name,
            nameIsMistake: literalContext.argument,
          })
        : authorizationSecret(literalContext, value);
      if (!judgement) return false;
      const where = literalContext.where;
      if (judgement === 'placeholder') {
        context.report({
          node: literal,
          severity: 'hint',
          message: `Placeholder credential ${where}; load the real value from the environment instead of editing it in`,
          fixes: strength ? fixFor(context, names, literal, value, literalContext, undefined) : [],
        });
        return true;
      }
      context.report({
        node: literal,
        severity: 'warning',
        message: `Hardcoded credential${quoted(value)} ${where}; load it from the environment or a secret store`,
        fixes: strength ? fixFor(context, names, literal, value, literalContext, undefined) : [],
      });
      return true;
    };

    /** Judges one literal in its context; true when it reported (so it is not judged again). */
    const judgeLiteral = (literal: Node, literalContext: LiteralContext): boolean => {
      const tokens = findTokens(withoutInterpolations(literal));
      // Most strings hold no token shape and are bound to no name: nothing more to look at.
      if (tokens.length === 0 && !literalContext.name) return false;
      const value = plainValue(semantic, literal);
      const real = tokens.filter((t) => t.real);
      // A literal that is exactly one token: reported whole, with a fix.
      const whole = real.find((t) => t.value === value);
      if (whole) {
        reportToken(literal, value, literalContext, whole.kind, whole.value);
        return true;
      }
      // Tokens inside longer text (URLs, docstrings, f-strings): each reported where it is.
      for (const found of real) {
        context.report({
          start: literal.startIndex + found.start,
          end: literal.startIndex + found.end,
          message: `Hardcoded ${found.kind.label}${quoted(found.value)} inside a string; load it from the environment and revoke the exposed token`,
        });
      }
      if (real.length > 0) return true;
      // f-strings and bytes are judged by their token shapes only.
      if (value === undefined) return false;
      // Hex keys that only W&B or Kaggle context makes secrets.
      const contextual = contextualKind(semantic, literalContext, value);
      if (contextual) {
        reportToken(literal, value, literalContext, contextual, value);
        return true;
      }
      // Tests keep fake credentials as fixtures: names and placeholders are not judged there.
      if (shapesOnly) return false;
      // A fake-looking token where a credential belongs is a placeholder.
      const fake = tokens.find((t) => t.value === value);
      if (fake && strengthOf(literalContext)) {
        context.report({
          node: literal,
          severity: 'hint',
          message: `Placeholder ${fake.kind.label} ${literalContext.where}; load the real value from the environment instead of editing it in`,
          fixes: fixFor(context, names, literal, value, literalContext, fake.kind),
        });
        return true;
      }
      return checkNamed(literal, value, literalContext);
    };

    const checkLiteral = (literal: Node, literalContext?: LiteralContext) => {
      // Each literal is reported once, at its own place or at the first argument it reaches.
      if (reported.has(literal.id)) return;
      if (judgeLiteral(literal, literalContext ?? contextOf(semantic, literal)))
        reported.add(literal.id);
    };

    const reportIn = (offset: number, found: TokenMatch, place: string, action: string) =>
      context.report({
        start: offset + found.start,
        end: offset + found.end,
        message: `${found.kind.label}${quoted(found.value)} ${place}; ${action} and revoke the exposed token`,
      });

    const checkMagics = () => {
      for (const magic of file.notebook?.module.magics ?? []) {
        const command = magic.text.trim().split(/\s/)[0];
        const place = `in \`${command}\``;
        const tokens = findTokens(magic.text).filter((t) => t.real);
        for (const found of tokens) reportIn(magic.start, found, place, 'read it from a variable');
        // A token shape says it all; the forms below only matter for lines without one.
        if (tokens.length > 0) continue;
        const wandb = WANDB_LOGIN.exec(magic.text);
        if (wandb && WANDB_KEY.isReal(wandb[1])) {
          const start = magic.start + wandb.index + wandb[0].lastIndexOf(wandb[1]);
          context.report({
            start,
            end: start + 40,
            message: `${WANDB_KEY.label}${quoted(wandb[1])} ${place}; run \`wandb login\` without it and revoke the exposed key`,
          });
          continue;
        }
        for (const pattern of MAGIC_ASSIGNMENTS) {
          const match = pattern.exec(magic.text.trim());
          if (!match) continue;
          const strength = credentialStrength(match[1]);
          const judgement = strength && judgeValue(unquote(match[2]), strength);
          // Placeholders (`%env HF_TOKEN=<your token>`) and `$VAR` expansions stay quiet here.
          if (judgement !== 'secret') continue;
          const start = magic.start + magic.text.indexOf(match[2], magic.text.indexOf(match[1]));
          context.report({
            start,
            end: start + match[2].length,
            severity: 'warning',
            message: `Hardcoded credential for ${match[1]} ${place}; set it outside the notebook`,
          });
        }
      }
    };

    const checkOutputs = () => {
      const notebook = file.notebook;
      if (!notebook) return;
      notebook.cells.forEach((cell, cellIndex) => {
        // Only cells read from disk carry their outputs; the editor does not sync them.
        if (!cell.outputs) return;
        const span = notebook.module.cellByIndex(cellIndex);
        // A cell left out of the program has no place in the linted text to report on.
        if (!span || span.skipped) return;
        const secrets = new Map<string, TokenMatch>();
        // Tracebacks color their source lines: `\x1b[38;5;124mhf_…` would hide the token's start.
        const text = cell.outputs.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
        for (const found of findTokens(text)) {
          if (found.real && !secrets.has(found.value)) secrets.set(found.value, found);
        }
        const [first] = secrets.values();
        if (!first) return;
        const more = secrets.size - 1;
        context.report({
          ...firstLineOf(span),
          message: `The stored output of this cell shows ${article(first.kind.label)} ${first.kind.label}${quoted(first.value)}${more ? ` and ${more} more secret${more > 1 ? 's' : ''}` : ''}; clear the notebook's outputs and revoke the exposed token`,
        });
      });
    };

    return {
      string(node) {
        // The parts of an implicit concatenation are judged together, as one value.
        if (node.parent?.type === 'concatenated_string') return;
        checkLiteral(node);
      },
      concatenated_string(node) {
        checkLiteral(node);
      },
      comment(node) {
        for (const found of findTokens(node.text)) {
          if (found.real)
            reportIn(node.startIndex, found, 'in a comment', 'remove it from the source');
        }
      },
      call(call) {
        if (shapesOnly) return;
        const callee = lazyCallee(semantic, call);
        for (const [name, value] of callArguments(call).keywords) {
          // A credential keyword given a name bound once to a literal: judged at the literal.
          if (value.type !== 'identifier') continue;
          if (name !== 'key' && !credentialStrength(name)) continue;
          const literal = semantic.followName(value);
          if (!isLiteral(literal) || reported.has(literal.id)) continue;
          const where = `reaches ${name}= (${describeLocation(file, call.startIndex)})`;
          checkLiteral(literal, { name, where, callee: callee(), argument: true });
        }
      },
      module() {
        checkMagics();
        checkOutputs();
      },
    };
  },
});
