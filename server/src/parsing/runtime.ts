import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser, Query, type Tree } from 'web-tree-sitter';

/**
 * The tree-sitter runtime is initialised once per process; every parser shares the one language.
 * Callers await `loadPython()` before their first parse.
 */
let loading: Promise<Language> | undefined;
let language: Language | undefined;

/** Folders that may hold the runtime and grammar wasm: next to a bundle, or the repository. */
function candidateDirs(file: string): string[] {
  const dirs: string[] = [__dirname];
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
    dirs.push(join(dir, 'grammars'));
    dirs.push(join(dir, 'node_modules', 'web-tree-sitter'));
  }
  return dirs.filter((dir) => existsSync(join(dir, file)));
}

export function locateWasm(file: string): string {
  const found = candidateDirs(file)[0];
  if (!found) throw new Error(`mlhygiene: cannot find ${file} next to the server or in grammars/`);
  return join(found, file);
}

/**
 * The options handed to the Emscripten module, which it fills in: its `HEAP8` view tells how large
 * the WebAssembly heap has grown (it never shrinks, so growth under a steady load is a leak).
 */
const moduleOptions: { locateFile?: () => string; HEAP8?: Int8Array } = {};

/** Bytes of WebAssembly memory the tree-sitter runtime holds; 0 before it is loaded. */
export function wasmHeapBytes(): number {
  return moduleOptions.HEAP8?.buffer.byteLength ?? 0;
}

export function loadPython(): Promise<Language> {
  loading ??= (async () => {
    const runtime = locateWasm('web-tree-sitter.wasm');
    moduleOptions.locateFile = () => runtime;
    await Parser.init(moduleOptions);
    language = await Language.load(readFileSync(locateWasm('tree-sitter-python.wasm')));
    return language;
  })();
  return loading;
}

export function pythonLanguage(): Language {
  if (!language) throw new Error('mlhygiene: loadPython() must complete before parsing');
  return language;
}

/** A parser bound to Python; cheap to create, freed with `delete()`. */
export function createParser(): Parser {
  const parser = new Parser();
  parser.setLanguage(pythonLanguage());
  return parser;
}

let sharedParser: Parser | undefined;

/** Parses a whole source text with the process-wide parser, optionally reusing an edited tree. */
export function parsePython(text: string, oldTree?: Tree | null): Tree {
  sharedParser ??= createParser();
  const tree = sharedParser.parse(text, oldTree ?? null);
  if (!tree) throw new Error('mlhygiene: tree-sitter returned no tree');
  return tree;
}

const queries = new Map<string, Query>();

/** Compiles a query once per process and keeps it. */
export function compileQuery(source: string): Query {
  let query = queries.get(source);
  if (!query) {
    query = new Query(pythonLanguage(), source);
    queries.set(source, query);
  }
  return query;
}

/** ERROR and MISSING nodes in a text; fixes must never add any. Iterative, so depth is no limit. */
export function countSyntaxErrors(text: string): number {
  const tree = parsePython(text);
  const cursor = tree.walk();
  try {
    if (!tree.rootNode.hasError) return 0;
    let count = 0;
    for (;;) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) count++;
      // A missing hidden token (the line break between `x = "a"` and `b = ""` on one line) is
      // no visible node: its parent has an error that none of its children shows.
      else if (node.hasError && !node.children.some((c) => c?.hasError)) count++;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return count;
      }
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
}
