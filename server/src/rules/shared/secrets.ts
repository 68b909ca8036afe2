/**
 * What a secret looks like: the token shapes of well-known services, the names that say a value is
 * a credential, and the values that are only placeholders. Pure functions over text, shared by the
 * MLH601 rule and its tests.
 */

export interface TokenKind {
  /** What users call it: "Hugging Face token". */
  label: string;
  /** The environment variable the service's own tools read. */
  envName: string;
  /** Global pattern; group 1, when present, is the secret inside a larger match. */
  pattern: RegExp;
  /** Characters of the secret that are a fixed prefix, not random. */
  prefix: RegExp;
  /** Whether the random part looks like a real secret (not `hf_xxxx…`, not AWS's `…EXAMPLE`). */
  isReal(random: string): boolean;
}

/** A token shape found in a text, with its offsets in that text. */
export interface TokenMatch {
  kind: TokenKind;
  /** The secret itself. */
  value: string;
  start: number;
  end: number;
  /** False for fake-looking tokens: sequences, repeated characters, `EXAMPLE`, `test`. */
  real: boolean;
}

// Tokens are delimited by characters that cannot belong to them, so `xhf_…` or `…_hf_` never match.
const BEFORE = '(?<![A-Za-z0-9_\\-])';
const AFTER = '(?![A-Za-z0-9_\\-])';

function token(body: string): RegExp {
  return new RegExp(`${BEFORE}${body}${AFTER}`, 'g');
}

/** Words that only fake and documentation tokens contain. */
const FAKE_WORDS =
  /example|sample|dummy|fake|placeholder|xxxx|test|your|mock|invalid|redacted|notreal|changeme|abcdef|foobar|secret/i;

/** Five or more characters in a row that each follow the previous one (`abcde`, `12345`, `54321`). */
function hasSequence(text: string, length = 5): boolean {
  let up = 1;
  let down = 1;
  for (let i = 1; i < text.length; i++) {
    const step = text.charCodeAt(i) - text.charCodeAt(i - 1);
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    if (up >= length || down >= length) return true;
  }
  return false;
}

/** Whether a token's random part was typed by a person: repeats, sequences, telling words. */
export function looksFake(random: string): boolean {
  if (/(.)\1{4,}/.test(random)) return true;
  if (hasSequence(random)) return true;
  if (FAKE_WORDS.test(random)) return true;
  return new Set(random).size < Math.min(10, random.length / 2);
}

/** How many of lower case, upper case and digits a text uses. */
function characterClasses(text: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(text)).length;
}

/** A generated secret: long enough, at least two character classes, not typed by a person. */
export function looksRandom(text: string, minLength = 16): boolean {
  return text.length >= minLength && characterClasses(text) >= 2 && !looksFake(text);
}

const mixed = (random: string) => looksRandom(random);
const hex = (random: string) => /[0-9]/.test(random) && /[a-f]/.test(random) && !looksFake(random);

export const TOKEN_KINDS: readonly TokenKind[] = [
  {
    label: 'Anthropic API key',
    envName: 'ANTHROPIC_API_KEY',
    pattern: token('sk-ant-[A-Za-z0-9_\\-]{20,}'),
    prefix: /^sk-ant-(?:api\d\d-|admin\d\d-)?/,
    isReal: mixed,
  },
  {
    label: 'OpenAI API key',
    envName: 'OPENAI_API_KEY',
    pattern: token('sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\\-]{20,}'),
    prefix: /^sk-(?:proj-|svcacct-|admin-|None-)?/,
    // `sk-learn-…`-like names use one case and no digits; generated keys use all three classes.
    isReal: (random) => characterClasses(random) === 3 && !looksFake(random),
  },
  {
    label: 'Hugging Face token',
    envName: 'HF_TOKEN',
    pattern: token('hf_[A-Za-z0-9]{30,}'),
    prefix: /^hf_/,
    isReal: mixed,
  },
  {
    label: 'AWS access key ID',
    envName: 'AWS_ACCESS_KEY_ID',
    pattern: token('(?:AKIA|ASIA)[A-Z0-9]{16}'),
    prefix: /^(?:AKIA|ASIA)/,
    isReal: (random) => /[0-9]/.test(random) && !looksFake(random),
  },
  {
    label: 'GitHub token',
    envName: 'GITHUB_TOKEN',
    pattern: token('(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})'),
    prefix: /^(?:gh[pousr]_|github_pat_)/,
    isReal: mixed,
  },
  {
    label: 'Slack token',
    envName: 'SLACK_TOKEN',
    pattern: token('xox[baprs]-[A-Za-z0-9\\-]{10,}'),
    prefix: /^xox[baprs]-/,
    isReal: (random) => /[0-9]/.test(random) && random.length >= 15 && !looksFake(random),
  },
  {
    label: 'Google API key',
    envName: 'GOOGLE_API_KEY',
    pattern: token('AIza[0-9A-Za-z_\\-]{35}'),
    prefix: /^AIza/,
    isReal: mixed,
  },
  {
    // The `key` of a kaggle.json document: `{"username": "...", "key": "<32 hex>"}`.
    label: 'Kaggle API key',
    envName: 'KAGGLE_KEY',
    pattern: /\\?["']key\\?["']\s*:\s*\\?["']([0-9a-f]{32})\\?["']/g,
    prefix: /^/,
    isReal: hex,
  },
];

export const WANDB_KEY: TokenKind = {
  label: 'W&B API key',
  envName: 'WANDB_API_KEY',
  pattern: /^[0-9a-f]{40}$/,
  prefix: /^/,
  isReal: hex,
};

/** Every token shape in a text. The Kaggle shape needs a `username` next to its `key`. */
export function findTokens(text: string): TokenMatch[] {
  // A cheap test first: nearly every string in a program holds none of the prefixes.
  if (!/hf_|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox|AIza|key/.test(text)) return [];
  const found: TokenMatch[] = [];
  for (const kind of TOKEN_KINDS) {
    if (kind.envName === 'KAGGLE_KEY' && !/username/.test(text)) continue;
    for (const match of text.matchAll(kind.pattern)) {
      const value = match[1] ?? match[0];
      const start = match.index! + (match[1] ? match[0].indexOf(match[1]) : 0);
      const random = value.replace(kind.prefix, '');
      found.push({ kind, value, start, end: start + value.length, real: kind.isReal(random) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The first four characters and an ellipsis; short values show nothing at all. */
export function mask(secret: string): string | undefined {
  return secret.length >= 12 ? `${secret.slice(0, 4)}…` : undefined;
}

/** Words of an identifier, a keyword or an environment variable: `openaiApiKey` → openai, api, key. */
export function nameWords(name: string): string[] {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  while (words.length > 1 && /^\d+$/.test(words[words.length - 1])) words.pop();
  if (words.length > 0) words[words.length - 1] = words[words.length - 1].replace(/\d+$/, '');
  return words.filter(Boolean);
}

/**
 * How strongly a name says its value is a credential. `password` (passwords, secrets, secret keys):
 * any real-looking value is one, a short phrase too; `key` (API keys, access tokens): a value of 8+
 * characters mixing letters and digits, as generated keys do; `weak`: only a generated-looking
 * value (`token`, `my_token`), since NLP code is full of `token = "hello"`.
 */
export type CredentialStrength = 'password' | 'key' | 'weak';

const PASSWORD_WORDS = new Set(['password', 'passwd', 'passphrase']);
/** Owners that make a short `pass` / `pwd` a password rather than a pass count or a folder. */
const PASS_OWNERS = new Set([
  'db',
  'database',
  'smtp',
  'mail',
  'email',
  'user',
  'admin',
  'root',
  'ftp',
  'sql',
  'mysql',
  'postgres',
  'pg',
  'redis',
  'mongo',
  'ldap',
  'proxy',
  'login',
  'account',
  'rabbitmq',
  'amqp',
  'basic',
]);

/** Services and roles whose `*_KEY` is a secret; every other `*_KEY` is a dictionary key. */
const KEY_OWNERS = new Set([
  'api',
  'secret',
  'access',
  'private',
  'auth',
  'license',
  'licence',
  'subscription',
  'account',
  'master',
  'encryption',
  'signing',
  'client',
  'consumer',
  'app',
  'application',
  'developer',
  'service',
  'hmac',
  'jwt',
  'fernet',
  'storage',
  'shared',
  'sas',
  'openai',
  'anthropic',
  'hf',
  'huggingface',
  'wandb',
  'kaggle',
  'cohere',
  'gemini',
  'google',
  'groq',
  'mistral',
  'pinecone',
  'serpapi',
  'stripe',
  'sendgrid',
  'mailgun',
  'twilio',
  'azure',
  'tavily',
  'replicate',
  'together',
  'deepseek',
  'perplexity',
  'elevenlabs',
  'langchain',
  'langsmith',
  'comet',
  'neptune',
  'clearml',
  'mapbox',
  'aws',
]);

/** Owners whose `*_TOKEN` is an access token. */
const TOKEN_OWNERS = new Set([
  'access',
  'auth',
  'api',
  'bearer',
  'refresh',
  'session',
  'id',
  'hf',
  'hub',
  'huggingface',
  'github',
  'gh',
  'gitlab',
  'slack',
  'bot',
  'oauth',
  'oauth2',
  'personal',
  'secret',
  'security',
  'jwt',
  'client',
  'service',
  'app',
  'admin',
  'write',
  'read',
  'private',
  'wandb',
  'openai',
  'discord',
  'telegram',
  'notion',
  'pypi',
  'npm',
  'dropbox',
  'twitter',
  'kaggle',
  'replicate',
  'cohere',
  'vault',
  'docker',
  'registry',
  'deploy',
  'webhook',
  'sas',
  'sentry',
  'databricks',
  'snowflake',
  'dagshub',
  'mlflow',
  'comet',
  'neptune',
  'clearml',
  'azure',
  'aws',
  'gcp',
  'google',
]);

/**
 * Owners whose `*_TOKEN` is a piece of text (NLP special tokens, chat-template markers) or an
 * opaque cursor (pagination, cancellation), never a credential.
 */
const TEXT_TOKEN_OWNERS = new Set([
  'pad',
  'bos',
  'eos',
  'unk',
  'mask',
  'sep',
  'cls',
  'start',
  'end',
  'stop',
  'sos',
  'eot',
  'eod',
  'eom',
  'special',
  'oov',
  'blank',
  'null',
  'empty',
  'space',
  'image',
  'img',
  'audio',
  'video',
  'vision',
  'sentinel',
  'default',
  'begin',
  'split',
  'first',
  'last',
  'next',
  'prev',
  'previous',
  'current',
  'cur',
  'new',
  'old',
  'word',
  'sub',
  'subword',
  'char',
  'character',
  'break',
  'line',
  'newline',
  'delimiter',
  'placeholder',
  'unknown',
  'separator',
  'class',
  'prefix',
  'suffix',
  'target',
  'source',
  'src',
  'tgt',
  'lang',
  'language',
  'decoder',
  'encoder',
  'pred',
  'label',
  'answer',
  'question',
  'context',
  'system',
  'user',
  'assistant',
  'tool',
  'think',
  'reasoning',
  'response',
  'instruction',
  'input',
  'output',
  'query',
  'doc',
  'document',
  'pause',
  'boi',
  'eoi',
  'fim',
  'middle',
  'human',
  'pattern',
  'regex',
  'cancel',
  'cancellation',
  'continuation',
  'page',
  'sync',
  'stream',
  'resume',
  'idempotency',
  'lock',
  'csrf',
  'xsrf',
  'type',
  'name',
  'string',
  'str',
  'text',
  'raw',
  'parse',
  'parsed',
  'lexer',
  'syntax',
  'op',
  'operator',
  'keyword',
  'update',
  'change',
  'task',
  'verification',
  'confirmation',
  'waiter',
  'request',
  'client_request',
  'nonce',
]);

/** The credential strength a name carries, or undefined when it names something else. */
export function credentialStrength(name: string): CredentialStrength | undefined {
  const words = nameWords(name);
  const last = words[words.length - 1];
  const owner = words.length > 1 ? words[words.length - 2] : undefined;
  if (!last) return undefined;
  if (PASSWORD_WORDS.has(last)) return 'password';
  if ((last === 'pass' || last === 'pwd') && owner && PASS_OWNERS.has(owner)) return 'password';
  // Secrets and secret keys (Flask's, Django's) are passphrases: any real-looking value is one.
  if (['secret', 'clientsecret', 'apisecret', 'secretkey'].includes(last)) return 'password';
  if (last === 'key' && owner === 'secret') return 'password';
  if (['apikey', 'accesskey', 'privatekey', 'authkey', 'licensekey'].includes(last)) return 'key';
  if (last === 'key') return owner && KEY_OWNERS.has(owner) ? 'key' : undefined;
  if (['apitoken', 'authtoken', 'accesstoken', 'bearertoken', 'hftoken'].includes(last))
    return 'key';
  if (last === 'token') {
    if (!owner) return 'weak';
    if (TOKEN_OWNERS.has(owner)) return 'key';
    return TEXT_TOKEN_OWNERS.has(owner) ? undefined : 'weak';
  }
  return undefined;
}

/** Words that mark a value as something to fill in. */
const PLACEHOLDER_WORDS =
  /your|insert|enter|replace|change.?me|todo|fixme|dummy|placeholder|example|sample|fake|redacted|not.?real|paste|fill|here|xxx|test|my.?(?:api|key|token|secret|pass)/i;

/** Whole values that stand for a credential without being one. */
const PLACEHOLDER_VALUES = new Set([
  'password',
  'passwd',
  'pass',
  'secret',
  'token',
  'key',
  'apikey',
  'nil',
  'undefined',
  'default',
  'tbd',
  'foo',
  'bar',
  'baz',
  'foobar',
  'demo',
]);

/**
 * Values that say "no key": local OpenAI-compatible servers (vLLM, Ollama, LM Studio, llama.cpp)
 * need an `api_key` argument but ignore it, and their docs pass these.
 */
const NO_KEY_VALUES = new Set([
  'empty',
  'none',
  'null',
  'na',
  'n/a',
  'ollama',
  'lm-studio',
  'not-needed',
  'no-key',
  'nokey',
  'sk-no-key-required',
]);

/** Words inside `<…>` / `[…]` / `{…}` that make it a fill-in marker rather than an NLP token. */
const MARKER_WORDS = /token|key|secret|password|pass|your|api|auth|cred|here|insert/i;

/** Words of field and variable names (`"aws_secret_access_key"`, `"AWSAccessKeyId"`). */
const CREDENTIAL_WORDS = new Set([
  'api',
  'key',
  'keys',
  'secret',
  'token',
  'password',
  'passwd',
  'pass',
  'access',
  'auth',
  'session',
  'id',
  'private',
  'client',
  'bearer',
  'refresh',
  'credential',
  'credentials',
  'aws',
]);

/** Undoes leetspeak, so `"P@55w0rd!"` is recognised as the word it spells. */
function unleet(text: string): string {
  const map: Record<string, string> = {
    '0': 'o',
    '1': 'i',
    '3': 'e',
    '4': 'a',
    '5': 's',
    '7': 't',
  };
  return text
    .toLowerCase()
    .replace(/[013457]/g, (c) => map[c])
    .replace(/@/g, 'a')
    .replace(/\$/g, 's')
    .replace(/[^a-z]/g, '');
}

export type ValueJudgement = 'secret' | 'placeholder' | undefined;

export interface JudgeOptions {
  /** The name the value is bound to: `PASSWORD = "password"` is an enum member, not a secret. */
  name?: string;
  /**
   * Whether an environment variable's name as the value is a mistake worth a hint: yes for an
   * argument (`api_key="OPENAI_API_KEY"`), no for a constant naming the variable to read.
   */
  nameIsMistake?: boolean;
}

/**
 * What a literal bound to a credential name is: a secret, a placeholder (a hint), or nothing to
 * report (empty, prose with spaces, a path or URL, an NLP token such as `<unk>`, a field name).
 */
export function judgeValue(
  value: string,
  strength: CredentialStrength,
  options: JudgeOptions = {},
): ValueJudgement {
  const text = value.trim();
  if (!text) return undefined;
  // Prose (`"Enter your password:"`, a sentence) is a message; a short phrase can be a passphrase.
  if (/\s/.test(text)) {
    if (/[:?!.,]$|[:?]\s/.test(text)) return undefined;
    if (PLACEHOLDER_WORDS.test(text)) return 'placeholder';
    if (strength !== 'password' || text.split(/\s+/).length > 4) return undefined;
  }
  // A location or an address says where the secret lives, not what it is.
  if (/^(?:[a-z][a-z0-9+.-]*:\/\/|\/|~\/|\.\.?\/)/i.test(text)) return undefined;
  if (/\.(?:pem|key|json|txt|p12|pfx|crt|cer|gpg|asc|pub|env|ya?ml|toml|ini|cfg)$/i.test(text))
    return undefined;
  const wrapped = /^(?:<.*>|\[.*\]|\{.*\}|\(.*\))$/.test(text);
  if (wrapped) return MARKER_WORDS.test(text) ? 'placeholder' : undefined;
  if (/^[x*•.#?_-]+$/i.test(text)) return 'placeholder';
  if (/(?:\.\.\.|…)$/.test(text) || /^\$\{?\w+\}?$/.test(text) || /^%\(\w+\)s$/.test(text))
    return 'placeholder';
  if (NO_KEY_VALUES.has(text.toLowerCase())) return undefined;
  // Masks such as `":****"` and symbols hold no secret.
  if (!/[A-Za-z0-9]/.test(text)) return undefined;
  // `PASSWORD = "password"`: an enum member or a field name spelled like the constant.
  if (!options.nameIsMistake && options.name && envWord(options.name) === envWord(text))
    return undefined;
  if (PLACEHOLDER_VALUES.has(text.toLowerCase()) || PLACEHOLDER_WORDS.test(text))
    return 'placeholder';
  // `api_key="OPENAI_API_KEY"`: the name of the variable that should have been read.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(text))
    return options.nameIsMistake ? 'placeholder' : undefined;
  if (PLACEHOLDER_VALUES.has(unleet(text))) return 'placeholder';
  // `"aws_secret_access_key"`, `"AWSAccessKeyId"`, `"session-token"`: names of fields.
  const words = nameWords(text);
  if (/^[A-Za-z][A-Za-z_:-]*$/.test(text) && words.some((w) => CREDENTIAL_WORDS.has(w)))
    return undefined;
  if (strength === 'weak') return looksGenerated(text) ? 'secret' : undefined;
  if (strength === 'key') {
    if (text.length < 8) return undefined;
    if (looksFake(text)) return 'placeholder';
    // Generated keys mix letters and digits; `"serverlessrepo:applicationId"` is an identifier.
    return /[0-9]/.test(text) && /[A-Za-z]/.test(text) ? 'secret' : undefined;
  }
  // `"asdfasdfasdf"`, `"ABCSECRETKEY"`: typed to look like a secret in examples and mocks.
  if (text.length >= 8 && looksFake(text)) return 'placeholder';
  return 'secret';
}

/** A generated value, not a UUID (which names a resource far more often than it grants access). */
function looksGenerated(text: string): boolean {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return false;
  return looksRandom(text);
}

/** Upper snake case of a name: `openaiApiKey` → `OPENAI_API_KEY`, `X-Api-Key` → `X_API_KEY`. */
export function envWord(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/** Names so generic that the service (or the token's kind) should prefix them. */
const GENERIC_NAMES = new Set([
  'TOKEN',
  'KEY',
  'API_KEY',
  'APIKEY',
  'SECRET',
  'PASSWORD',
  'ACCESS_TOKEN',
  'AUTH_TOKEN',
  'API_TOKEN',
]);

/** Whether a variable name says nothing about whose secret it holds (`PASSWORD`, `TOKEN`). */
export function isGenericEnvName(name: string): boolean {
  return GENERIC_NAMES.has(name);
}

/** The service a call belongs to, by the top module of its qualified name. */
const SERVICE_PREFIXES: Record<string, string> = {
  huggingface_hub: 'HF',
  transformers: 'HF',
  datasets: 'HF',
  diffusers: 'HF',
  peft: 'HF',
  trl: 'HF',
  sentence_transformers: 'HF',
  openai: 'OPENAI',
  langchain_openai: 'OPENAI',
  anthropic: 'ANTHROPIC',
  wandb: 'WANDB',
  kaggle: 'KAGGLE',
  github: 'GITHUB',
  slack_sdk: 'SLACK',
  cohere: 'COHERE',
  comet_ml: 'COMET',
  neptune: 'NEPTUNE',
};

/**
 * The environment variable a secret should come from: the name it was given (upper snake), made
 * specific by the token's kind or the calling library when the name is generic (`token=` in
 * `huggingface_hub.login` → `HF_TOKEN`, `key=` in `wandb.login` → `WANDB_API_KEY`), else the
 * kind's own variable.
 */
export function envNameFor(
  name: string | undefined,
  kind: TokenKind | undefined,
  callee: string | undefined,
): string {
  const word = name ? envWord(name) : '';
  if (word && !/^\d/.test(word) && !GENERIC_NAMES.has(word)) return word;
  if (kind) return kind.envName;
  const service = callee ? SERVICE_PREFIXES[callee.split('.')[0]] : undefined;
  if (word && service) {
    if (service === 'HF' && /TOKEN|KEY/.test(word)) return 'HF_TOKEN';
    return `${service}_${word === 'KEY' ? 'API_KEY' : word}`;
  }
  return word || 'SECRET';
}
