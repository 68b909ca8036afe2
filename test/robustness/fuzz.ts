import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureEngine } from '../../server/src/engine/lint';
import type { LintSettings } from '../../server/src/engine/selection';
import { corpusFiles, ROOT, SKLEARN_CORPUS } from './fixSafety';
import { LspFuzzer } from './lspFuzzer';
import { mutateNotebook, mutateText, Random } from './mutators';
import { allRulesSettings, checkFile, type Problem } from './oracles';

/**
 * The fuzzer: mutates real scripts and notebooks with a seeded PRNG and drives the engine (lint,
 * every fix alone, fixAll with unsafe fixes) and the running language server with them. Each
 * failure names its seed and iteration, which regenerate the input exactly, and the input is
 * written to `.fuzz/crashes/` (git-ignored) with a minimised copy.
 */

export interface FuzzInput {
  /** The name the input is linted under (its extension decides script or notebook). */
  name: string;
  text: string;
  /** The corpus file it was mutated from, and how. */
  origin: string;
  steps: string[];
}

export interface FuzzFailure extends Problem {
  target: 'engine' | 'lsp';
  seed: number;
  iteration: number;
  input: FuzzInput;
}

/** The fuzz corpus: the sklearn examples and notebooks when present, and the repo's fixtures. */
export class Corpus {
  private readonly texts = new Map<string, string>();

  /**
   * `seeds` are files rich in findings (the repo's fixtures and examples), picked as often as all
   * the others together so that fixes get exercised, not only parsing.
   */
  constructor(
    readonly files: readonly string[],
    readonly seeds: readonly string[] = [],
  ) {
    if (files.length === 0 && seeds.length === 0) throw new Error('fuzz: the corpus is empty');
  }

  static default(): Corpus {
    const dirs = [join(ROOT, 'examples'), join(ROOT, 'test', 'fixtures')];
    return new Corpus(corpusFiles([SKLEARN_CORPUS]), corpusFiles(dirs));
  }

  get size(): number {
    return this.files.length + this.seeds.length;
  }

  pick(random: Random): string {
    if (this.files.length === 0 || (this.seeds.length > 0 && random.chance(0.5)))
      return random.pick(this.seeds);
    return random.pick(this.files);
  }

  text(path: string): string {
    let text = this.texts.get(path);
    if (text === undefined) this.texts.set(path, (text = readFileSync(path, 'utf8')));
    return text;
  }
}

/** The input of one iteration; a pure function of (seed, iteration) and the corpus. */
export function makeInput(corpus: Corpus, seed: number, iteration: number): FuzzInput {
  const random = Random.forIteration(seed, iteration);
  const origin = corpus.pick(random);
  const donor = () => {
    const other = corpus.pick(random);
    const text = corpus.text(other);
    return other.endsWith('.ipynb') ? notebookCode(text) : text;
  };
  const original = corpus.text(origin);
  const mutated = origin.endsWith('.ipynb')
    ? mutateNotebook(original, random, donor)
    : mutateText(original, random, donor);
  return { name: basename(origin), text: mutated.text, origin, steps: mutated.steps };
}

/** The code of a notebook's cells, for splicing into other inputs. */
function notebookCode(raw: string): string {
  try {
    const cells = (JSON.parse(raw) as { cells?: { cell_type?: string; source?: unknown }[] }).cells;
    return (cells ?? [])
      .filter((c) => c.cell_type === 'code')
      .map((c) => (Array.isArray(c.source) ? c.source.join('') : String(c.source ?? '')))
      .join('\n');
  } catch {
    return raw;
  }
}

/** Runs the engine oracles on one input; an exception is itself a failure. */
export interface EngineStats {
  inputs: number;
  unreadable: number;
  fixesApplied: number;
  fixAllApplied: number;
  syntaxNoise: number;
}

export function checkEngine(
  input: FuzzInput,
  settings: LintSettings,
  stats?: EngineStats,
): Problem[] {
  try {
    const check = checkFile(`/fuzz/${input.name}`, input.text, settings);
    if (stats) {
      stats.inputs++;
      if (check.skipped) stats.unreadable++;
      stats.fixesApplied += check.fixesApplied;
      stats.fixAllApplied += check.fixAllApplied;
      stats.syntaxNoise += check.syntaxNoise;
    }
    return check.problems;
  } catch (error) {
    const stack = (error as Error).stack ?? String(error);
    return [
      { code: 'engine', kind: 'exception', detail: stack.split('\n').slice(0, 6).join(' | ') },
    ];
  }
}

/**
 * Shrinks an input while `fails` still holds: whole notebook cells first, then lines, then
 * characters, each by halving chunks (delta debugging). Bounded, so a slow oracle cannot stall.
 */
export function minimise(input: FuzzInput, fails: (candidate: FuzzInput) => boolean): FuzzInput {
  let budget = 400;
  const attempt = (text: string) => budget-- > 0 && fails({ ...input, text });
  let text = input.text;
  if (input.name.endsWith('.ipynb')) {
    try {
      const notebook = JSON.parse(text) as { cells?: unknown[] };
      if (Array.isArray(notebook.cells)) {
        const cells = shrinkList(notebook.cells, (cells) =>
          attempt(JSON.stringify({ ...notebook, cells }, null, 1)),
        );
        text = JSON.stringify({ ...notebook, cells }, null, 1);
      }
    } catch {
      // Damaged JSON is shrunk as text below.
    }
    return { ...input, text };
  }
  const lines = shrinkList(text.split(/(?<=\n)/), (lines) => attempt(lines.join('')));
  text = lines.join('');
  text = shrinkList([...text], (chars) => attempt(chars.join(''))).join('');
  return { ...input, text };
}

function shrinkList<T>(items: T[], fails: (items: T[]) => boolean): T[] {
  let current = items;
  let chunk = Math.max(1, Math.floor(current.length / 2));
  while (chunk >= 1) {
    let removed = false;
    for (let at = 0; at < current.length;) {
      const candidate = [...current.slice(0, at), ...current.slice(at + chunk)];
      if (candidate.length < current.length && fails(candidate)) {
        current = candidate;
        removed = true;
      } else at += chunk;
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  return current;
}

export const CRASH_DIR = join(ROOT, '.fuzz', 'crashes');

function saveFailure(failure: FuzzFailure, minimised?: FuzzInput): string {
  mkdirSync(CRASH_DIR, { recursive: true });
  const ext = failure.input.name.endsWith('.ipynb') ? 'ipynb' : 'py';
  const stem = join(
    CRASH_DIR,
    `${failure.target}-${failure.code}-${failure.kind}-s${failure.seed}-i${failure.iteration}`,
  );
  writeFileSync(`${stem}.${ext}`, failure.input.text);
  if (minimised) writeFileSync(`${stem}.min.${ext}`, minimised.text);
  writeFileSync(
    `${stem}.txt`,
    [
      `${failure.target} ${failure.code} ${failure.kind}: ${failure.detail}`,
      `from ${failure.input.origin} by ${failure.input.steps.join(', ')}`,
      `reproduce: npm run fuzz -- --seed ${failure.seed} --replay ${failure.iteration}${failure.target === 'lsp' ? ' --lsp-iterations 1' : ''}`,
      `minimised input (JSON string): ${JSON.stringify(minimised?.text ?? failure.input.text)}`,
      '',
    ].join('\n'),
  );
  return stem;
}

interface Options {
  seed: number;
  iterations: number;
  lspIterations: number;
  replay?: number;
  minimise: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    seed: Date.now() % 1_000_000_007,
    iterations: 1000,
    lspIterations: -1,
    minimise: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`fuzz: ${argv[i - 1]} needs a number`);
      return n;
    };
    if (argv[i] === '--seed') options.seed = value();
    else if (argv[i] === '--iterations') options.iterations = value();
    else if (argv[i] === '--lsp-iterations') options.lspIterations = value();
    else if (argv[i] === '--replay') options.replay = value();
    else if (argv[i] === '--no-minimise') options.minimise = false;
    else throw new Error(`fuzz: unknown option ${argv[i]}`);
  }
  // The server is slower per input (a process, JSON-RPC, debounce): a tenth as many by default.
  if (options.lspIterations < 0) options.lspIterations = Math.ceil(options.iterations / 10);
  return options;
}

/** Reports a failure once per (target, rule, kind): the first input is kept and minimised. */
class FailureLog {
  readonly all: FuzzFailure[] = [];
  private readonly seen = new Set<string>();

  add(failure: FuzzFailure, minimiseWith?: (input: FuzzInput) => boolean): void {
    this.all.push(failure);
    const key = `${failure.target}:${failure.code}:${failure.kind}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const minimised = minimiseWith ? minimise(failure.input, minimiseWith) : undefined;
    const stem = saveFailure(failure, minimised);
    console.log(
      `FAIL ${failure.target} seed=${failure.seed} iteration=${failure.iteration} ${failure.code} ${failure.kind}: ${failure.detail}\n  input: ${stem}.*`,
    );
  }

  get groups(): number {
    return this.seen.size;
  }
}

function range(options: Options, count: number): number[] {
  if (options.replay !== undefined) return count > 0 ? [options.replay] : [];
  return Array.from({ length: count }, (_, i) => i);
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  await ensureEngine();
  const corpus = Corpus.default();
  const settings = allRulesSettings();
  const failures = new FailureLog();
  console.log(
    `fuzz: seed ${options.seed}, ${options.iterations} engine + ${options.lspIterations} language-server iterations over ${corpus.size} corpus files`,
  );

  let started = process.hrtime.bigint();
  const engineRuns = range(options, options.iterations);
  const stats: EngineStats = {
    inputs: 0,
    unreadable: 0,
    fixesApplied: 0,
    fixAllApplied: 0,
    syntaxNoise: 0,
  };
  for (const iteration of engineRuns) {
    const input = makeInput(corpus, options.seed, iteration);
    for (const problem of checkEngine(input, settings, stats)) {
      const same = (candidate: FuzzInput) =>
        checkEngine(candidate, settings).some(
          (p) => p.code === problem.code && p.kind === problem.kind,
        );
      failures.add(
        { ...problem, target: 'engine', seed: options.seed, iteration, input },
        options.minimise ? same : undefined,
      );
    }
  }
  const engineSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `engine: ${engineRuns.length} iterations in ${engineSeconds.toFixed(1)} s (${(engineRuns.length / engineSeconds).toFixed(1)} iterations/s); ${stats.unreadable} unreadable notebooks, ${stats.fixesApplied} fixes applied one by one, ${stats.fixAllApplied} by fixAll, ${stats.syntaxNoise} with more errors in already broken code`,
  );

  started = process.hrtime.bigint();
  const lspRuns = range(options, options.lspIterations);
  let lspStats = '';
  if (lspRuns.length > 0) {
    const lsp = await LspFuzzer.start();
    try {
      for (const iteration of lspRuns) {
        const input = makeInput(corpus, options.seed, iteration);
        const random = Random.forIteration(options.seed ^ 0x5bd1e995, iteration);
        for (const problem of await lsp.run(input, random, iteration))
          failures.add({ ...problem, target: 'lsp', seed: options.seed, iteration, input });
      }
    } finally {
      lspStats = lsp.describeStats();
      await lsp.stop();
    }
  }
  const lspSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (lspRuns.length > 0)
    console.log(
      `language server: ${lspRuns.length} iterations in ${lspSeconds.toFixed(1)} s (${(lspRuns.length / lspSeconds).toFixed(1)} iterations/s); ${lspStats}`,
    );
  console.log(
    `fuzz: ${failures.all.length} failures in ${failures.groups} distinct kinds (seed ${options.seed})`,
  );
  return failures.all.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
