/**
 * Seeded mutations of real Python scripts and notebooks for the fuzzer. Every random choice comes
 * from one PRNG derived from (seed, iteration), so a printed pair reproduces an input exactly.
 */

/** A small, fast PRNG (mulberry32); the same state always yields the same sequence. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of one fuzz iteration: independent of every other iteration. */
  static forIteration(seed: number, iteration: number): Random {
    return new Random(hashNumbers(seed, iteration));
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

function hashNumbers(a: number, b: number): number {
  let h = 0x811c9dc5;
  for (const value of [a >>> 0, (a / 4294967296) >>> 0, b >>> 0, (b / 4294967296) >>> 0]) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (value >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h;
}

/**
 * Fragments that stress the parser and the rules: keywords, brackets, quotes, indentation, line
 * breaks of every kind, IPython syntax, calls the rules look for, and characters whose UTF-16 and
 * UTF-8 lengths differ (astral characters, a lone surrogate, BOM, NUL, line and paragraph separators).
 */
const FRAGMENTS = [
  'def ',
  'class ',
  'if ',
  'elif ',
  'else:',
  'for ',
  'while ',
  'try:',
  'except:',
  'except Exception:\n    pass\n',
  'finally:',
  'with ',
  'lambda ',
  'yield ',
  'await ',
  'async ',
  'match ',
  'case ',
  'return',
  'import ',
  'from ',
  ' as ',
  'global ',
  'nonlocal ',
  'pass',
  '...',
  ':',
  '=',
  ',',
  '.',
  '*',
  '**',
  '@',
  '->',
  ':=',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '"""',
  "'''",
  'f"{',
  'rb"',
  '\\',
  '#',
  '# noqa',
  '  # noqa: MLH201',
  '# mlhygiene: ignore[print-instead-of-logging]',
  '\n',
  '\n    ',
  '\n        ',
  '\t',
  '    ',
  '\r',
  '\r\n',
  '%matplotlib inline\n',
  '!pip install torch\n',
  '%%bash\n',
  '%%time\n',
  '?',
  'print(',
  'print("x")\n',
  'torch.load(',
  'pickle.load(f)\n',
  'open("/home/alice/data.csv")',
  '"/content/drive/x.csv"',
  '"s3://bucket/key"',
  'os.environ["TOKEN"]',
  'API_KEY = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"\n',
  'model.fit(X, y)\n',
  'train_test_split(X, y)',
  'loss.backward()\n',
  'optimizer.step()\n',
  'eval(x)',
  'sys.argv[1]',
  'logger.info("x")\n',
  'if __name__ == "__main__":\n',
  'é',
  '中文',
  '😀',
  '𝔘𝔫𝔦',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\ud800',
  '\0',
  '\x0c',
];

/** A rough Python tokenizer: enough to swap, duplicate and delete tokens, not to parse. */
const TOKEN = /\s+|[A-Za-z_]\w*|\d+(?:\.\d+)?|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^\s\w]/g;

interface Span {
  start: number;
  end: number;
}

function tokens(text: string): Span[] {
  const out: Span[] = [];
  for (const match of text.matchAll(TOKEN)) {
    if (/^\s/.test(match[0])) continue;
    out.push({ start: match.index, end: match.index + match[0].length });
  }
  return out;
}

function lineSpans(text: string): Span[] {
  const out: Span[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      out.push({ start, end: i + 1 });
      start = i + 1;
    }
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Swaps two of the given spans (tokens or lines), picked at random; the text between stays. */
function swapTwo(text: string, spans: readonly Span[], random: Random): string {
  if (spans.length < 2) return text;
  let [a, b] = [random.pick(spans), random.pick(spans)];
  if (a.start === b.start) return text;
  if (a.start > b.start) [a, b] = [b, a];
  return (
    text.slice(0, a.start) +
    text.slice(b.start, b.end) +
    text.slice(a.end, b.start) +
    text.slice(a.start, a.end) +
    text.slice(b.end)
  );
}

function randomChar(random: Random): string {
  if (random.chance(0.7)) return String.fromCharCode(random.between(0x09, 0x7e));
  if (random.chance(0.5)) return String.fromCharCode(random.between(0x80, 0xffff));
  return String.fromCodePoint(random.between(0x10000, 0x10ffff));
}

export type TextMutator = (text: string, random: Random, donor: () => string) => string;

/** Mutations of Python text, each a name (shown in failure reports) and a function. */
export const TEXT_MUTATORS: Record<string, TextMutator> = {
  insertFragment(text, random) {
    const at = random.int(text.length + 1);
    return splice(text, at, at, random.pick(FRAGMENTS));
  },
  insertChar(text, random) {
    const at = random.int(text.length + 1);
    return splice(text, at, at, randomChar(random));
  },
  replaceChar(text, random) {
    if (!text) return text;
    const at = random.int(text.length);
    return splice(text, at, at + 1, randomChar(random));
  },
  deleteRange(text, random) {
    if (!text) return text;
    const start = random.int(text.length);
    return splice(text, start, Math.min(text.length, start + random.between(1, 40)), '');
  },
  duplicateRange(text, random) {
    if (!text) return text;
    const start = random.int(text.length);
    const piece = text.slice(start, start + random.between(1, 80));
    const at = random.int(text.length + 1);
    return splice(text, at, at, piece);
  },
  swapTokens: (text, random) => swapTwo(text, tokens(text), random),
  duplicateToken(text, random) {
    const all = tokens(text);
    if (all.length === 0) return text;
    const token = random.pick(all);
    return splice(text, token.end, token.end, text.slice(token.start, token.end));
  },
  deleteToken(text, random) {
    const all = tokens(text);
    if (all.length === 0) return text;
    const token = random.pick(all);
    return splice(text, token.start, token.end, '');
  },
  replaceToken(text, random) {
    const all = tokens(text);
    if (all.length === 0) return text;
    const token = random.pick(all);
    return splice(text, token.start, token.end, random.pick(FRAGMENTS));
  },
  duplicateLine(text, random) {
    const lines = lineSpans(text);
    if (lines.length === 0) return text;
    const line = random.pick(lines);
    return splice(text, line.end, line.end, text.slice(line.start, line.end));
  },
  deleteLine(text, random) {
    const lines = lineSpans(text);
    if (lines.length === 0) return text;
    const line = random.pick(lines);
    return splice(text, line.start, line.end, '');
  },
  swapLines: (text, random) => swapTwo(text, lineSpans(text), random),
  reindentLine(text, random) {
    const lines = lineSpans(text);
    if (lines.length === 0) return text;
    const line = random.pick(lines);
    if (random.chance(0.5))
      return splice(text, line.start, line.start, random.pick(['    ', '\t', ' ']));
    const indent = /^[ \t]*/.exec(text.slice(line.start, line.end))![0].length;
    return splice(text, line.start, line.start + Math.min(indent, random.between(1, 4)), '');
  },
  truncate(text, random) {
    return text.slice(0, random.int(text.length + 1));
  },
  lineBreaks(text, random) {
    const style = random.pick(['\r\n', '\r', 'one-crlf', 'one-cr']);
    if (style === '\r\n' || style === '\r') return text.replace(/\r?\n/g, style);
    const breaks = [...text.matchAll(/\n/g)];
    if (breaks.length === 0) return text;
    const at = random.pick(breaks).index;
    return splice(text, at, at + 1, style === 'one-crlf' ? '\r\n' : '\r');
  },
  spliceFromDonor(text, random, donor) {
    const other = donor();
    const lines = lineSpans(other);
    if (lines.length === 0) return text;
    const first = random.int(lines.length);
    const last = Math.min(lines.length - 1, first + random.between(0, 12));
    const piece = other.slice(lines[first].start, lines[last].end);
    const targets = lineSpans(text);
    const at = targets.length ? random.pick(targets).start : 0;
    return splice(text, at, at, piece);
  },
};

const TEXT_MUTATOR_NAMES = Object.keys(TEXT_MUTATORS);

/** Applies one to eight random text mutations; returns the text and the mutations' names. */
export function mutateText(
  text: string,
  random: Random,
  donor: () => string,
): { text: string; steps: string[] } {
  const steps: string[] = [];
  const count = 1 + Math.min(7, Math.floor(-Math.log(1 - random.next()) * 1.5));
  for (let i = 0; i < count; i++) {
    const name = random.pick(TEXT_MUTATOR_NAMES);
    text = TEXT_MUTATORS[name](text, random, donor);
    steps.push(name);
  }
  return { text, steps };
}

type JsonObject = Record<string, unknown>;

function cellSourceText(cell: JsonObject): string {
  const source = cell.source;
  if (typeof source === 'string') return source;
  if (Array.isArray(source)) return source.filter((s) => typeof s === 'string').join('');
  return '';
}

/** nbformat's list form: every line keeps its line break. */
function asLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type NotebookMutator = (notebook: JsonObject, random: Random, donor: () => string) => void;

function cellsOf(notebook: JsonObject): JsonObject[] | undefined {
  return Array.isArray(notebook.cells) ? (notebook.cells as JsonObject[]) : undefined;
}

/** Structural mutations of a parsed notebook (the JSON stays valid). */
const NOTEBOOK_MUTATORS: Record<string, NotebookMutator> = {
  shuffleCells(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells) return;
    for (let i = cells.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [cells[i], cells[j]] = [cells[j], cells[i]];
    }
  },
  moveCell(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells?.length) return;
    const [cell] = cells.splice(random.int(cells.length), 1);
    cells.splice(random.int(cells.length + 1), 0, cell);
  },
  duplicateCell(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells?.length) return;
    const at = random.int(cells.length);
    cells.splice(at, 0, structuredClone(cells[at]));
  },
  deleteCell(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells?.length) return;
    cells.splice(random.int(cells.length), 1);
  },
  changeCellType(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells?.length) return;
    random.pick(cells).cell_type = random.pick(['code', 'markdown', 'raw']);
  },
  mutateCellSource(notebook, random, donor) {
    const cells = cellsOf(notebook);
    if (!cells?.length) return;
    const cell = random.pick(cells.filter((c) => c?.cell_type === 'code').concat(cells));
    if (!cell || typeof cell !== 'object') return;
    const text = mutateText(cellSourceText(cell), random, donor).text;
    cell.source = random.chance(0.8) ? asLines(text) : text;
  },
  addMagicCell(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells) return;
    const source = random.pick([
      '%matplotlib inline\n',
      '!pip install -q torch\nimport torch\n',
      '%%bash\nls /home/alice\n',
      '%%time\nmodel.fit(X, y)\n',
      '%cd /content/drive\n',
      'files = !ls /data\n',
      'df?\n',
      '%load_ext autoreload\n%autoreload 2\n',
    ]);
    cells.splice(random.int(cells.length + 1), 0, {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: asLines(source),
    });
  },
  tagIgnored(notebook, random) {
    const cells = cellsOf(notebook);
    if (!cells?.length) return;
    const cell = random.pick(cells);
    if (cell && typeof cell === 'object') cell.metadata = { tags: ['mlhygiene-ignore'] };
  },
  notebookIgnore(notebook, random) {
    notebook.metadata = {
      ...(notebook.metadata as JsonObject),
      mlhygiene: { ignore: [random.pick(['MLH101', 'hardcoded-absolute-path', 'MLH3'])] },
    };
  },
};

/** Damage that usually makes the file unreadable as nbformat 4; the engine must say so cleanly. */
const JSON_DAMAGE: Record<string, (raw: string, random: Random) => string> = {
  truncateJson(raw, random) {
    return raw.slice(0, random.int(raw.length));
  },
  deleteJsonChar(raw, random) {
    const at = random.int(raw.length);
    return raw.slice(0, at) + raw.slice(at + 1);
  },
  wrongTypes(raw, random) {
    const notebook = JSON.parse(raw) as JsonObject;
    const cells = cellsOf(notebook);
    const damage = random.int(7);
    if (damage === 0) notebook.nbformat = 3;
    else if (damage === 1) delete notebook.nbformat;
    else if (damage === 2) notebook.cells = {};
    else if (cells?.length && damage === 3) random.pick(cells).source = 42;
    else if (cells?.length && damage === 4) cells[random.int(cells.length)] = null as never;
    else if (cells?.length && damage === 5) random.pick(cells).source = [1, 'x', null];
    else if (cells?.length) random.pick(cells).outputs = [{ data: { 'image/png': 'AAAA' } }];
    return JSON.stringify(notebook, null, 1);
  },
};

/**
 * Mutates a notebook's JSON text: mostly valid notebooks with changed cells, sometimes damaged
 * JSON or fields of the wrong type.
 */
export function mutateNotebook(
  raw: string,
  random: Random,
  donor: () => string,
): { text: string; steps: string[] } {
  let notebook: JsonObject;
  try {
    notebook = JSON.parse(raw) as JsonObject;
  } catch {
    return mutateText(raw, random, donor);
  }
  const steps: string[] = [];
  const count = random.between(1, 4);
  const names = Object.keys(NOTEBOOK_MUTATORS);
  for (let i = 0; i < count; i++) {
    const name = random.chance(0.5) ? 'mutateCellSource' : random.pick(names);
    NOTEBOOK_MUTATORS[name](notebook, random, donor);
    steps.push(name);
  }
  let text = JSON.stringify(notebook, null, 1) + '\n';
  if (random.chance(0.1)) {
    const name = random.pick(Object.keys(JSON_DAMAGE));
    text = JSON_DAMAGE[name](text, random);
    steps.push(name);
  }
  return { text, steps };
}

/** A random fragment, for the language server's typed edits. */
export function randomFragment(random: Random): string {
  return random.chance(0.9) ? random.pick(FRAGMENTS) : randomChar(random);
}
