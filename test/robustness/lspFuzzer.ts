import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest,
  HoverRequest,
  PublishDiagnosticsNotification,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { ConfigLocator } from '../../server/src/config/load';
import { DEFAULT_EDITOR_SETTINGS } from '../../server/src/config/schema';
import { lint } from '../../server/src/engine/lint';
import { resolveSettings, type LintSettings } from '../../server/src/engine/selection';
import { locate, notebookSource, pythonSource } from '../../server/src/engine/source';
import { parseIpynb } from '../../server/src/parsing/ipynb';
import type { CellKind, NotebookCellInput } from '../../server/src/parsing/notebook';
import { Commands } from '../../server/src/protocol';
import { RULES } from '../../server/src/rules';
import { TestLspClient } from '../harness/lspClient';
import { randomFragment, type Random } from './mutators';
import type { Problem } from './oracles';

/** How long any one request or the final diagnostics may take before it counts as a hang. */
const ANSWER_TIMEOUT_MS = 15_000;
const FIX_ALL_KIND = 'source.fixAll.mlhygiene';

interface TrackedDocument {
  uri: string;
  /** Every text the document had, by version, to check ranges against the right one. */
  versions: Map<number, string>;
  current: TextDocument;
  kind: CellKind;
}

/** A range's two ends lie inside the text (lines exist, characters within the line). */
function rangeInside(text: string, range: Range): boolean {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: Position) =>
    Number.isInteger(p.line) &&
    Number.isInteger(p.character) &&
    p.line >= 0 &&
    p.line < lines.length &&
    p.character >= 0 &&
    p.character <= lines[p.line].length;
  const ordered =
    range.start.line < range.end.line ||
    (range.start.line === range.end.line && range.start.character <= range.end.character);
  return ok(range.start) && ok(range.end) && ordered;
}

function key(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

/**
 * Drives the real language server (dist/server.js over JSON-RPC) with fuzz inputs: opens a script
 * or notebook, types a sequence of incremental edits, asks for code actions and hovers at random
 * places, and finally closes it. Invariants: every request is answered, the server never exits nor
 * logs an error, every range it sends lies inside the document version it was computed for, and
 * once typing stops its diagnostics equal a fresh lint of the final text.
 */
export class LspFuzzer {
  private readonly errors: string[] = [];
  private readonly problems: Problem[] = [];
  private readonly published = new Map<string, { version?: number; diagnostics: Diagnostic[] }>();
  private readonly tracked = new Map<string, TrackedDocument>();
  private closed = false;
  private readonly stats = {
    restarts: 0,
    changes: 0,
    requests: 0,
    codeActions: 0,
    hovers: 0,
    diagnostics: 0,
    notebooks: 0,
  };

  private constructor(
    private client: TestLspClient,
    private readonly dir: string,
    private readonly settings: LintSettings,
  ) {}

  static async start(): Promise<LspFuzzer> {
    const dir = mkdtempSync(join(tmpdir(), 'mlh-fuzz-'));
    // The same rules as the engine fuzzer: all of them, notebooks judged as production code.
    const select = RULES.map((r) => `"${r.code}"`).join(', ');
    writeFileSync(
      join(dir, 'pyproject.toml'),
      `[tool.mlhygiene]\nselect = [${select}]\nprofile = "production"\n`,
    );
    const settings = resolveSettings(
      new ConfigLocator().forFile(join(dir, 'x.py')),
      DEFAULT_EDITOR_SETTINGS,
    );
    const fuzzer = new LspFuzzer(await LspFuzzer.launch(dir), dir, settings);
    fuzzer.listen();
    return fuzzer;
  }

  private static launch(dir: string): Promise<TestLspClient> {
    // No debounce: each change is linted at once, racing the next one, as fast typing does.
    return TestLspClient.start(pathToFileURL(dir).href, {
      ...process.env,
      MLHYGIENE_DEBOUNCE_MS: '0',
    });
  }

  private listen(): void {
    const { connection } = this.client;
    this.closed = false;
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.client.diagnostics.set(params.uri, params.diagnostics);
      this.published.set(params.uri, params);
      this.checkPublished(params.uri, params.version, params.diagnostics);
    });
    connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      if (params.type === 1) this.errors.push(params.message);
    });
    connection.onClose(() => {
      this.closed = true;
    });
  }

  async stop(): Promise<void> {
    if (!this.closed) await this.client.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  describeStats(): string {
    const s = this.stats;
    return `${s.notebooks} notebooks, ${s.changes} changes, ${s.requests} requests answered (${s.codeActions} code actions returned, ${s.hovers} hovers), ${s.diagnostics} diagnostics checked, ${s.restarts} restarts`;
  }

  private problem(code: string, kind: string, detail: string): void {
    this.problems.push({ code, kind, detail });
  }

  /** A range sent for a document must fit the version it names, or some version it had. */
  private checkRange(uri: string, range: Range, version: number | null | undefined, what: string) {
    const doc = this.tracked.get(uri);
    if (!doc) return;
    const texts =
      version !== undefined && version !== null && doc.versions.has(version)
        ? [doc.versions.get(version)!]
        : [...doc.versions.values()];
    if (!texts.some((text) => rangeInside(text, range)))
      this.problem('lsp', 'range-outside-document', `${what} ${key(range)} in ${uri}`);
  }

  private checkPublished(uri: string, version: number | undefined, diagnostics: Diagnostic[]) {
    this.stats.diagnostics += diagnostics.length;
    for (const d of diagnostics)
      this.checkRange(uri, d.range, version, `diagnostic ${String(d.code)}`);
  }

  private checkEdit(edit: WorkspaceEdit | undefined, what: string): void {
    for (const change of edit?.documentChanges ?? []) {
      if (!('textDocument' in change)) continue;
      const edits = change.edits as TextEdit[];
      for (const e of edits)
        this.checkRange(change.textDocument.uri, e.range, change.textDocument.version, what);
      const sorted = [...edits].sort((a, b) => compare(a.range.start, b.range.start));
      for (let i = 1; i < sorted.length; i++) {
        if (compare(sorted[i].range.start, sorted[i - 1].range.end) < 0)
          this.problem('lsp', 'overlapping-edits', `${what} in ${change.textDocument.uri}`);
      }
    }
    for (const [uri, edits] of Object.entries(edit?.changes ?? {}))
      for (const e of edits) this.checkRange(uri, e.range, undefined, what);
  }

  /** A request that must be answered in time; a hang or an error response is a failure. */
  private async request<T>(what: string, send: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([send(), timeout]);
      if (answer === 'timeout') {
        this.problem('lsp', 'no-answer', `${what} got no answer in ${ANSWER_TIMEOUT_MS} ms`);
        return undefined;
      }
      this.stats.requests++;
      return answer;
    } catch (error) {
      if (!this.closed)
        this.problem('lsp', 'request-failed', `${what}: ${(error as Error).message}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private track(uri: string, kind: CellKind, languageId: string, text: string): TrackedDocument {
    const doc: TrackedDocument = {
      uri,
      kind,
      versions: new Map([[1, text]]),
      current: TextDocument.create(uri, languageId, 1, text),
    };
    this.tracked.set(uri, doc);
    return doc;
  }

  /** A random incremental change of a tracked document, applied to our copy too. */
  private randomChange(doc: TrackedDocument, random: Random) {
    const text = doc.current.getText();
    const start = random.int(text.length + 1);
    const end = Math.min(text.length, start + (random.chance(0.5) ? 0 : random.between(1, 30)));
    const newText = random.chance(0.25)
      ? ''
      : random.chance(0.2)
        ? text.slice(random.int(text.length + 1)).slice(0, random.between(1, 60))
        : randomFragment(random);
    const range = { start: doc.current.positionAt(start), end: doc.current.positionAt(end) };
    // Now and then a position past the end of a line, which clients must not send but may.
    if (random.chance(0.05))
      range.end = { line: range.end.line, character: range.end.character + 7 };
    const change = random.chance(0.05) ? { text: newText } : { range, text: newText };
    const version = doc.current.version + 1;
    this.stats.changes++;
    doc.current = TextDocument.update(doc.current, [change], version);
    doc.versions.set(version, doc.current.getText());
    return { change, version };
  }

  private randomRange(doc: TrackedDocument, random: Random): Range {
    const text = doc.current.getText();
    const a = random.int(text.length + 1);
    const b = Math.min(text.length, a + random.int(80));
    return { start: doc.current.positionAt(a), end: doc.current.positionAt(b) };
  }

  /** Code actions (quick fixes, and sometimes fix-all) and a hover, at random places. */
  private async poke(doc: TrackedDocument, random: Random): Promise<void> {
    const { connection } = this.client;
    const pending: Promise<unknown>[] = [];
    if (random.chance(0.6)) {
      const diagnostics = this.client.diagnostics.get(doc.uri) ?? [];
      const only = random.chance(0.25) ? [FIX_ALL_KIND] : undefined;
      pending.push(
        this.request('codeAction', () =>
          connection.sendRequest(CodeActionRequest.type, {
            textDocument: { uri: doc.uri },
            range: this.randomRange(doc, random),
            context: { diagnostics, ...(only ? { only } : {}) },
          }),
        ).then((actions) => {
          this.stats.codeActions += actions?.length ?? 0;
          for (const action of (actions ?? []) as CodeAction[])
            this.checkEdit(action.edit, `code action "${action.title}"`);
        }),
      );
    }
    const published = this.client.diagnostics.get(doc.uri) ?? [];
    if (random.chance(0.5)) {
      pending.push(
        this.request('hover', () =>
          connection.sendRequest(HoverRequest.type, {
            textDocument: { uri: doc.uri },
            // Half the hovers land on a diagnostic, where the server has something to say.
            position:
              published.length > 0 && random.chance(0.5)
                ? random.pick(published).range.start
                : this.randomRange(doc, random).start,
          }),
        ).then((hover) => {
          const range = (hover as Hover | null | undefined)?.range;
          if (hover) this.stats.hovers++;
          if (range) this.checkRange(doc.uri, range, undefined, 'hover');
        }),
      );
    }
    if (random.chance(0.1)) {
      pending.push(
        this.request('fix-all command', () =>
          connection.sendRequest('workspace/executeCommand', {
            command: Commands.fixAll,
            arguments: [{ uri: doc.uri }],
          }),
        ),
      );
    }
    // Sometimes the next edit races these requests, sometimes it waits for their answers.
    if (random.chance(0.5)) await Promise.all(pending);
    else pending.forEach((p) => void p);
  }

  /** Polls until `ready` holds; a fuzz harness may wait, but never longer than the timeout. */
  private async settle(what: string, ready: () => string | undefined): Promise<void> {
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const mismatch = ready();
      if (mismatch === undefined) return;
      if (this.closed) return;
      if (Date.now() > deadline) {
        this.problem('lsp', 'diagnostics-differ', `${what}: ${mismatch}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** One fuzz iteration: a script or a notebook, depending on the input. */
  async run(
    input: { name: string; text: string },
    random: Random,
    iteration: number,
  ): Promise<Problem[]> {
    this.problems.length = 0;
    this.errors.length = 0;
    this.tracked.clear();
    if (this.closed) {
      this.stats.restarts++;
      this.client = await LspFuzzer.launch(this.dir);
      this.listen();
    }
    let notebookCells: NotebookCellInput[] | undefined;
    if (input.name.endsWith('.ipynb')) {
      try {
        notebookCells = parseIpynb(input.text).cells;
      } catch {
        notebookCells = undefined;
      }
    }
    if (notebookCells) this.stats.notebooks++;
    if (notebookCells) await this.notebook(notebookCells, random, iteration);
    else await this.script(input.name.endsWith('.ipynb') ? '' : input.text, random, iteration);
    if (this.closed) this.problem('lsp', 'server-exited', 'the server process went away');
    for (const message of this.errors)
      this.problem('lsp', 'server-error-log', message.slice(0, 400));
    return [...this.problems];
  }

  private async script(text: string, random: Random, iteration: number): Promise<void> {
    const { connection } = this.client;
    const uri = pathToFileURL(join(this.dir, `f${iteration}.py`)).href;
    const doc = this.track(uri, 'code', 'python', text);
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const steps = random.between(1, 8);
    for (let step = 0; step < steps; step++) {
      const changes = Array.from({ length: random.chance(0.2) ? 2 : 1 }, () =>
        this.randomChange(doc, random),
      );
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: changes[changes.length - 1].version },
        contentChanges: changes.map((c) => c.change),
      });
      await this.poke(doc, random);
    }
    const finalText = doc.current.getText();
    const finalVersion = doc.current.version;
    const result = lint(pythonSource(join(this.dir, `f${iteration}.py`), finalText), this.settings);
    const expected = result.findings
      .map(
        (f) =>
          `${f.code} ${key({ start: result.lines.positionAt(f.start), end: result.lines.positionAt(f.end) })}`,
      )
      .sort();
    await this.settle(`script after ${steps} edits`, () => {
      const got = this.published.get(uri);
      if (got?.version !== finalVersion)
        return `last published version ${got?.version}, expected ${finalVersion}`;
      const actual = got.diagnostics.map((d) => `${String(d.code)} ${key(d.range)}`).sort();
      return sameList(actual, expected);
    });
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await this.settle('script after close', () =>
      this.published.get(uri)?.diagnostics.length === 0 ? undefined : 'diagnostics not cleared',
    );
  }

  private async notebook(cells: NotebookCellInput[], random: Random, iteration: number) {
    const { connection } = this.client;
    const path = join(this.dir, `n${iteration}.ipynb`);
    const uri = pathToFileURL(path).href;
    let serial = 0;
    const languageOf = (kind: CellKind) =>
      kind === 'code' ? 'python' : kind === 'markdown' ? 'markdown' : 'raw';
    const newCell = (kind: CellKind, text: string) =>
      this.track(`vscode-notebook-cell:${path}#c${serial++}`, kind, languageOf(kind), text);
    const order = cells.map((cell) => newCell(cell.kind, cell.source));
    const cellItem = (doc: TrackedDocument) => ({
      kind: doc.kind === 'markdown' ? 1 : 2,
      document: doc.uri,
    });
    const textItem = (doc: TrackedDocument) => ({
      uri: doc.uri,
      languageId: doc.current.languageId,
      version: doc.current.version,
      text: doc.current.getText(),
    });
    let version = 1;
    await connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: {
        uri,
        notebookType: 'jupyter-notebook',
        version,
        cells: order.map(cellItem),
      },
      cellTextDocuments: order.map(textItem),
    });
    const steps = random.between(1, 8);
    for (let step = 0; step < steps; step++) {
      version++;
      const structural = order.length === 0 || random.chance(0.15);
      if (structural) {
        const start = random.int(order.length + 1);
        const deleteCount = random.chance(0.5) ? Math.min(order.length - start, 1) : 0;
        const added =
          deleteCount === 0 || random.chance(0.5) ? [newCell('code', randomFragment(random))] : [];
        const removed = order.splice(start, deleteCount, ...added);
        await connection.sendNotification('notebookDocument/didChange', {
          notebookDocument: { uri, version },
          change: {
            cells: {
              structure: {
                array: { start, deleteCount, cells: added.map(cellItem) },
                didOpen: added.map(textItem),
                didClose: removed.map((d) => ({ uri: d.uri })),
              },
            },
          },
        });
      } else {
        const doc = random.pick(order);
        const { change, version: cellVersion } = this.randomChange(doc, random);
        await connection.sendNotification('notebookDocument/didChange', {
          notebookDocument: { uri, version },
          change: {
            cells: {
              textContent: [
                { document: { uri: doc.uri, version: cellVersion }, changes: [change] },
              ],
            },
          },
        });
        await this.poke(doc, random);
      }
    }
    const final = notebookSource(
      path,
      order.map((d) => ({ kind: d.kind, source: d.current.getText(), tags: [] })),
    );
    const result = lint(final, this.settings);
    const expected = new Map<string, string[]>(order.map((d) => [d.uri, []]));
    for (const f of result.findings) {
      const cell = result.file.notebook!.module.cellAt(f.start);
      if (!cell) continue;
      const from = locate(result.file, result.lines, f.start);
      const to = locate(result.file, result.lines, f.end);
      const range = {
        start: from.position,
        end: to.cellIndex === from.cellIndex ? to.position : from.position,
      };
      expected.get(order[cell.cellIndex].uri)!.push(`${f.code} ${key(range)}`);
    }
    await this.settle(`notebook after ${steps} edits`, () => {
      for (const [cellUri, want] of expected) {
        const got = (this.published.get(cellUri)?.diagnostics ?? []).map(
          (d) => `${String(d.code)} ${key(d.range)}`,
        );
        const differs = sameList(got.sort(), want.sort());
        if (differs) return `cell ${order.findIndex((d) => d.uri === cellUri) + 1}: ${differs}`;
      }
      return undefined;
    });
    await connection.sendNotification('notebookDocument/didClose', {
      notebookDocument: { uri },
      cellTextDocuments: order.map((d) => ({ uri: d.uri })),
    });
    await this.settle('notebook after close', () => {
      const left = order.find((d) => (this.published.get(d.uri)?.diagnostics.length ?? 0) > 0);
      return left ? `diagnostics of ${left.uri} not cleared` : undefined;
    });
  }
}

function compare(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

function sameList(actual: string[], expected: string[]): string | undefined {
  if (actual.length === expected.length && actual.every((a, i) => a === expected[i]))
    return undefined;
  return `got [${actual.join(', ')}], expected [${expected.join(', ')}]`;
}
