import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { LANGUAGE_VERSION, MIN_COMPATIBLE_VERSION } from 'web-tree-sitter';
import { editorSettingsContribution } from '../../server/src/config/schema';
import { DEFAULT_RULE_OPTIONS } from '../../server/src/config/schema';
import { pythonSource } from '../../server/src/engine/source';
import {
  compileQuery,
  loadPython,
  parsePython,
  pythonLanguage,
} from '../../server/src/parsing/runtime';
import { VERSION } from '../../server/src/protocol';
import { SemanticModel } from '../../server/src/semantic/model';
import { projectFiles } from '../../server/src/workspace/project';
import { RULES } from '../../server/src/rules';
import { renderRuleMarkdown, ruleDocFileName } from '../../server/src/rules/render';

const ROOT = join(__dirname, '..', '..', '..');
const RULE_DIR = join(ROOT, 'server', 'src', 'rules');
const NOT_RULES = new Set(['index.ts', 'types.ts', 'render.ts', 'README.md']);

describe('rule index', () => {
  it('lists every rule file exactly once, sorted by code', () => {
    const files = readdirSync(RULE_DIR).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f));
    assert.equal(RULES.length, files.length, `rule files: ${files.join(', ')}`);
    const codes = RULES.map((r) => r.code);
    assert.deepEqual(codes, [...codes].sort());
    for (const file of files) {
      const source = readFileSync(join(RULE_DIR, file), 'utf8');
      const code = /code: '(MLH\d{3})'/.exec(source)?.[1];
      assert.ok(code && codes.includes(code), `${file} must define a rule that RULES lists`);
    }
  });

  it('has unique codes and kebab-case names', () => {
    assert.equal(new Set(RULES.map((r) => r.code)).size, RULES.length);
    assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length);
    for (const rule of RULES) {
      assert.match(rule.code, /^MLH[1-6]\d{2}$/);
      assert.match(rule.name, /^[a-z]+(-[a-z]+)+$/);
    }
  });

  it('documents every rule: summary, why, how to fix, fix safety for unsafe fixes, examples', () => {
    for (const rule of RULES) {
      const { docs } = rule;
      assert.ok(
        docs.summary.endsWith('.') && docs.summary.length < 120,
        `${rule.code} summary is one sentence`,
      );
      assert.ok(docs.why.length > 80, `${rule.code} explains why`);
      assert.ok(docs.howToFix.length > 40, `${rule.code} explains how to fix`);
      if (rule.fix !== 'none') assert.ok(docs.fixSafety, `${rule.code} says how safe its fix is`);
      assert.ok(
        docs.examples.invalid.length >= 2 && docs.examples.valid.length >= 2,
        `${rule.code} has examples`,
      );
    }
  });

  it('keeps docs/rules in sync with the rule files (npm run docs)', () => {
    for (const rule of RULES) {
      const page = readFileSync(join(ROOT, 'docs', 'rules', ruleDocFileName(rule)), 'utf8');
      assert.equal(
        page,
        renderRuleMarkdown(rule),
        `docs/rules/${ruleDocFileName(rule)} is stale: run npm run docs`,
      );
    }
  });
});

describe('manifest', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: unknown }; commands: { command: string }[] };
  };

  it('package.json settings equal the configuration schema (npm run sync-manifest)', () => {
    assert.deepEqual(manifest.contributes.configuration.properties, editorSettingsContribution());
  });

  it('has one version: package.json, the server and the CLI', () => {
    assert.equal((manifest as unknown as { version: string }).version, VERSION);
  });

  it('contributes the commands the client registers', () => {
    const commands = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(commands, [
      'mlhygiene.applyFixAll',
      'mlhygiene.clearScanResults',
      'mlhygiene.restartServer',
      'mlhygiene.scanWorkspace',
      'mlhygiene.showLogs',
    ]);
  });
});

describe('grammar', () => {
  before(() => loadPython());

  it('grammars/tree-sitter-python.wasm matches grammars.json and an ABI web-tree-sitter accepts', () => {
    const record = JSON.parse(readFileSync(join(ROOT, 'grammars', 'grammars.json'), 'utf8')) as {
      grammars: { file: string; package: string; version: string; sha256: string; abi: number }[];
    };
    assert.equal(record.grammars.length, 1);
    const [entry] = record.grammars;
    assert.equal(entry.package, 'tree-sitter-python');
    const wasm = readFileSync(join(ROOT, 'grammars', entry.file));
    assert.equal(
      createHash('sha256').update(wasm).digest('hex'),
      entry.sha256,
      'the wasm differs from its record: run npm run grammars',
    );
    assert.equal(pythonLanguage().abiVersion, entry.abi);
    assert.ok(
      entry.abi >= MIN_COMPATIBLE_VERSION && entry.abi <= LANGUAGE_VERSION,
      `ABI ${entry.abi} outside ${MIN_COMPATIBLE_VERSION}..${LANGUAGE_VERSION}`,
    );
  });

  it('has a node type for every visitor key a rule registers (a misspelt key would never fire)', () => {
    const tree = parsePython('x = 1\n');
    try {
      const semantic = new SemanticModel(tree);
      const file = pythonSource('/p/train.py', 'x = 1\n');
      const known = new Set(pythonLanguage().types);
      for (const rule of RULES) {
        const visitors = rule.create({
          file,
          semantic,
          options: DEFAULT_RULE_OPTIONS,
          project: projectFiles('/p/train.py', undefined),
          report: () => undefined,
        });
        assert.ok(Object.keys(visitors).length > 0, `${rule.code} registers visitors`);
        for (const key of Object.keys(visitors))
          assert.ok(known.has(key), `${rule.code} visits unknown node type "${key}"`);
      }
    } finally {
      tree.delete();
    }
  });

  it('knows the node types and fields the rules rely on', () => {
    // Compiling throws when a node type or field does not exist in the pinned grammar.
    assert.doesNotThrow(() =>
      compileQuery(
        '(call function: (_) arguments: (argument_list)) (except_clause) (keyword_argument name: (identifier) value: (_)) ' +
          '(import_from_statement module_name: (_)) (aliased_import alias: (identifier)) (interpolation expression: (_)) ' +
          '(assignment left: (_) right: (_)) (as_pattern_target) (with_item) (string_content) (dictionary_splat) (list_splat)',
      ),
    );
    assert.throws(() => compileQuery('(no_such_node_type)'));
  });
});
