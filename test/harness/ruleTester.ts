import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ensureEngine, lint, type Finding } from '../../server/src/engine/lint';
import { resolveSettings } from '../../server/src/engine/selection';
import {
  notebookSource,
  originalSlice,
  pythonSource,
  type SourceFile,
} from '../../server/src/engine/source';
import { applyToSource, MAX_FIX_ROUNDS } from '../../server/src/fixes/fixAll';
import { countSyntaxErrors } from '../../server/src/parsing/runtime';
import { RULES } from '../../server/src/rules';
import type { Rule } from '../../server/src/rules/types';
import { projectFiles, type ProjectFiles } from '../../server/src/workspace/project';

export { py } from '../../server/src/rules/types';

export interface ValidCase {
  code: string;
  /** Defaults to `train.py`; use `tests/test_x.py` or `nb.ipynb` (cells split on `# %%`) for scope. */
  filename?: string;
  /** Extra `[tool.mlhygiene]` settings. */
  config?: Record<string, unknown>;
  /**
   * The files around the linted one, for rules that read them (dependency pins, dvc.yaml, caches):
   * e.g. `projectFiles('/tmp/x/train.py', '/tmp/x', { HF_HOME: ... })` over a folder the test built.
   * By default the file lives in a project with no other files and an empty environment.
   */
  project?: ProjectFiles;
}

export interface InvalidCase extends ValidCase {
  /** The source text of each diagnostic's range, in order. */
  highlights: string[];
  /** Substrings or patterns each message must contain, in order (optional). */
  messages?: (string | RegExp)[];
  /** The text after applying every finding's first fix until nothing changes; omit for "no fix". */
  output?: string;
  /** Expected severities, in order (optional). */
  severities?: string[];
}

export interface RuleTable {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

const CELL_MARKER = /^# %%.*$/m;

/** Builds the file under test; a `.ipynb` name splits the code into cells at `# %%` lines. */
export function sourceFor(code: string, filename = 'train.py'): SourceFile {
  if (!filename.endsWith('.ipynb')) return pythonSource(`/project/${filename}`, code);
  const cells = code
    .split(CELL_MARKER)
    .map((source) => ({ kind: 'code' as const, source: source.replace(/^\n/, '') }));
  return notebookSource(`/project/${filename}`, cells);
}

function renderSource(file: SourceFile): string {
  if (!file.notebook) return file.text;
  return file.notebook.cells.map((c) => c.source).join('# %%\n');
}

/**
 * Only the rule under test runs, selected the way a default configuration selects it (all rules,
 * the others ignored), so default scopes apply: naming the rule in `select` would switch it on
 * in tests too.
 */
function settingsFor(rule: Rule, config: Record<string, unknown> = {}) {
  const others = RULES.filter((r) => r.code !== rule.code).map((r) => r.code);
  return resolveSettings({ config: { select: ['ALL'], ignore: others, ...config }, messages: [] });
}

export function findingsOf(
  rule: Rule,
  file: SourceFile,
  config?: Record<string, unknown>,
  project: ProjectFiles = projectFiles(file.path, '/project', {}),
): { findings: Finding[]; file: SourceFile } {
  const result = lint(file, settingsFor(rule, config), { project });
  assert.deepEqual(result.internalErrors, [], `rule ${rule.code} threw`);
  return { findings: result.findings.filter((f) => f.code === rule.code), file: result.file };
}

/** Applies each finding's first fix, round after round, until no fix is left. */
export function fixToFixpoint(
  rule: Rule,
  start: SourceFile,
  config?: Record<string, unknown>,
  project?: ProjectFiles,
): SourceFile {
  let file = start;
  for (let round = 0; round <= MAX_FIX_ROUNDS; round++) {
    const { findings, file: linted } = findingsOf(rule, file, config, project);
    const fixable = findings.filter((f) => f.fixes.length > 0);
    if (fixable.length === 0) return file;
    assert.ok(
      round < MAX_FIX_ROUNDS,
      `fixes of ${rule.code} did not reach a fixpoint in ${MAX_FIX_ROUNDS} rounds`,
    );
    // One fix per round keeps edits from overlapping; the loop still must converge.
    const next = applyToSource(linted, fixable[0].fixes[0].edits);
    assert.ok(next, 'fix edits must stay inside one notebook cell each');
    file = next;
  }
  return file;
}

export function ruleTester(rule: Rule, table: RuleTable): void {
  describe(`${rule.code} ${rule.name}`, () => {
    before(() => ensureEngine());
    let sawFix = false;

    table.valid.forEach((entry, index) => {
      const c = typeof entry === 'string' ? { code: entry } : entry;
      it(`valid #${index + 1}`, () => {
        const { findings, file } = findingsOf(
          rule,
          sourceFor(c.code, c.filename),
          c.config,
          c.project,
        );
        assert.deepEqual(
          findings.map((f) => originalSlice(file, f.start, f.end)),
          [],
          `expected no ${rule.code} in:\n${c.code}\n${findings.map((f) => f.message).join('\n')}`,
        );
      });
    });

    table.invalid.forEach((c, index) => {
      it(`invalid #${index + 1}`, () => {
        const source = sourceFor(c.code, c.filename);
        const { findings, file } = findingsOf(rule, source, c.config, c.project);
        assert.deepEqual(
          findings.map((f) => originalSlice(file, f.start, f.end)),
          c.highlights,
          `highlights in:\n${c.code}`,
        );
        c.messages?.forEach((expected, i) => {
          const message = findings[i]?.message ?? '';
          if (typeof expected === 'string')
            assert.ok(message.includes(expected), `message "${message}" lacks "${expected}"`);
          else assert.match(message, expected);
        });
        if (c.severities)
          assert.deepEqual(
            findings.map((f) => f.severity),
            c.severities,
          );

        // Declared fix availability holds for every finding.
        for (const finding of findings) {
          if (rule.fix === 'none')
            assert.equal(finding.fixes.length, 0, `${rule.code} declares no fix`);
          if (rule.fix === 'always')
            assert.ok(finding.fixes.length > 0, `${rule.code} declares a fix for every finding`);
          if (finding.fixes.length > 0) sawFix = true;
        }

        // Each fix, applied alone, removes its diagnostic and adds no syntax error.
        const baseErrors = countSyntaxErrors(file.text);
        for (const finding of findings) {
          for (const fix of finding.fixes) {
            const fixed = applyToSource(file, fix.edits);
            assert.ok(fixed, `fix "${fix.title}" crosses cells`);
            assert.ok(
              countSyntaxErrors(fixed.text) <= baseErrors,
              `fix "${fix.title}" breaks the syntax:\n${fixed.text}`,
            );
            const after = findingsOf(rule, fixed, c.config, c.project).findings;
            assert.ok(
              after.length < findings.length,
              `fix "${fix.title}" leaves its diagnostic:\n${fixed.text}`,
            );
          }
        }

        // All fixes together reach a fixpoint; the result is the expected output.
        const final = fixToFixpoint(rule, source, c.config, c.project);
        assert.ok(
          countSyntaxErrors(final.text) <= baseErrors,
          `fixed code has new syntax errors:\n${final.text}`,
        );
        const again = fixToFixpoint(rule, final, c.config, c.project);
        assert.equal(renderSource(again), renderSource(final), 'a second fix pass changes nothing');
        if (c.output !== undefined) assert.equal(renderSource(final), c.output);
        else
          assert.equal(
            renderSource(final),
            renderSource(source),
            `expected no fix, got:\n${renderSource(final)}`,
          );
      });
    });

    it('runs every docs example: invalid → exactly one diagnostic, valid → none', () => {
      for (const example of rule.docs.examples.invalid) {
        const { findings } = findingsOf(rule, sourceFor(example));
        assert.equal(
          findings.length,
          1,
          `docs invalid example must give exactly one ${rule.code}:\n${example}`,
        );
      }
      for (const example of rule.docs.examples.valid) {
        const { findings } = findingsOf(rule, sourceFor(example));
        assert.equal(
          findings.length,
          0,
          `docs valid example must give no ${rule.code}:\n${example}`,
        );
      }
    });

    it('declared fix availability is exercised by the table', () => {
      if (rule.fix !== 'none')
        assert.ok(
          sawFix || table.invalid.length === 0,
          `${rule.code} declares fixes but no case produced one`,
        );
    });
  });
}
