import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  importLines,
  indentUnit,
  indentationAt,
  insertAt,
  lineBreak,
} from '../fixes/edits';
import { describeLocation } from '../engine/source';
import type { SemanticModel } from '../semantic/model';
import { callArguments, field } from '../semantic/nodes';
import {
  guardBody,
  isSelfTestGuard,
  isStdlibLogger,
  loggerAttributeNames,
  mainGuards,
} from './shared/logging';
import { defineRule, py, type Fix, type RuleContext, type TextEdit } from './types';

const BASIC_CONFIG =
  'logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")';

/** Calls that give the root logger a handler (or hand logging to a library that does). */
const CONFIGURING_CALLS = new Set([
  'logging.basicConfig',
  'logging.config.dictConfig',
  'logging.config.fileConfig',
  'structlog.configure',
  'coloredlogs.install',
  'hydra.main',
]);

/** Imports that configure logging on their own or only make sense with a handler. */
const CONFIGURING_IMPORTS = ['loguru', 'rich.logging', 'absl.logging', 'absl.app', 'hydra'];

/** The same configuration, as text in a project module the program imports. */
const CONFIGURING_TEXT =
  /(?<!def )\b(basicConfig|dictConfig|fileConfig)\s*\(|\.addHandler\s*\(|\bloguru\b|structlog\.configure\s*\(|\brich\.logging\b|\bRichHandler\b|\babsl\b|coloredlogs\.install\s*\(|@hydra\.main/;

/** How many imported project modules are read at most, to keep linting fast. */
const MAX_MODULES = 40;

function importedModuleNames(semantic: SemanticModel): string[] {
  const modules: string[] = [];
  for (const node of semantic.nodes('import_statement')) {
    for (const name of node.childrenForFieldName('name')) {
      const module = name.type === 'aliased_import' ? field(name, 'name') : name;
      if (module) modules.push(module.text);
    }
  }
  for (const node of semantic.nodes('import_from_statement')) {
    const module = field(node, 'module_name')?.text ?? '';
    modules.push(module);
    for (const name of node.childrenForFieldName('name')) {
      const imported = name.type === 'aliased_import' ? field(name, 'name') : name;
      if (imported) modules.push(`${module}.${imported.text}`.replace(/^(\.+)\./, '$1'));
    }
  }
  return modules;
}

/** Whether the program itself configures logging. */
function configuresLogging(semantic: SemanticModel): boolean {
  for (const call of semantic.nodes('call')) {
    if (CONFIGURING_CALLS.has(semantic.calleeName(call) ?? '')) return true;
    if (semantic.methodName(call) === 'addHandler') return true;
  }
  for (const decorator of semantic.nodes('decorator')) {
    const expression = decorator.namedChild(0);
    const target = expression?.type === 'call' ? field(expression, 'function') : expression;
    if (CONFIGURING_CALLS.has(semantic.qualifiedName(target) ?? '')) return true;
  }
  return importedModuleNames(semantic).some((m) =>
    CONFIGURING_IMPORTS.some((c) => m === c || m.startsWith(`${c}.`)),
  );
}

/**
 * The files an imported module name may live in next to the program or above it: `pkg.utils` →
 * `pkg/utils.py`, `pkg/utils/__init__.py`; relative imports drop their dots.
 */
function candidateFiles(module: string): string[][] {
  const path = module.replace(/^\.+/, '').split('.').filter(Boolean).join('/');
  if (!path || path === 'logging' || path.startsWith('logging/')) return [];
  const top = path.split('/')[0];
  const candidates = [[`${path}.py`, `${path}/__init__.py`]];
  if (top !== path) candidates.push([`${top}.py`, `${top}/__init__.py`]);
  return candidates;
}

/** Whether a project module the program imports (one level deep) configures logging. */
function importsConfiguringModule(context: RuleContext): boolean {
  const seen = new Set<string>();
  for (const module of importedModuleNames(context.semantic)) {
    for (const names of candidateFiles(module)) {
      const key = names.join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      if (seen.size > MAX_MODULES) return false;
      for (const path of context.project.findUp(names)) {
        const text = context.project.read(path);
        if (text && CONFIGURING_TEXT.test(withoutComments(text))) return true;
      }
    }
  }
  return false;
}

function withoutComments(text: string): string {
  return text.replace(/^[ \t]*#.*$/gm, '');
}

/**
 * The first INFO record the program emits, by position: `logger.info(...)`, `logging.info(...)`,
 * `logger.log(logging.INFO, ...)`. Python hides INFO and DEBUG without configuration, but DEBUG is
 * meant to stay hidden until asked for (and the fix's INFO level keeps it so), so only INFO counts.
 */
function firstInfoCall(semantic: SemanticModel): Node | undefined {
  const attributes = loggerAttributeNames(semantic);
  return semantic.nodes('call').find((call) => {
    const callee = semantic.calleeName(call);
    if (callee === 'logging.info') return true;
    if (callee === 'logging.log') return isInfoLevel(semantic, callArguments(call).positional[0]);
    const method = semantic.methodName(call);
    if (method !== 'info' && method !== 'log') return false;
    const receiver = field(field(call, 'function'), 'object');
    if (!isStdlibLogger(semantic, receiver, attributes)) return false;
    return method === 'info' || isInfoLevel(semantic, callArguments(call).positional[0]);
  });
}

function isInfoLevel(semantic: SemanticModel, level: Node | undefined): boolean {
  return semantic.qualifiedName(level) === 'logging.INFO';
}

/** Inserts `logging.basicConfig(...)` as the first statement of the main block. */
function entryFix(context: RuleContext, guard: Node, block: Node): Fix {
  const text = context.file.text;
  const eol = lineBreak(context, guard.startIndex);
  const sameLine = block.startPosition.row === guard.startPosition.row;
  const colon = guard.children.find((c) => c?.type === ':');
  // The body's first line: a comment leading it (kept with what it describes) or its first statement.
  let anchor: Node = block;
  for (let node = colon?.nextSibling; node && node.id !== block.id; node = node.nextSibling) {
    if (node.startPosition.row > guard.startPosition.row) {
      anchor = node;
      break;
    }
  }
  if (!sameLine) {
    const indent = indentationAt(text, anchor.startIndex);
    return entryConfigFix(context, insertAt(anchor.startIndex, `${BASIC_CONFIG}${eol}${indent}`));
  }
  // A one-line block (`if __name__ == "__main__": main()`) is split so the call gets its own line.
  const indent = indentationAt(text, guard.startIndex) + indentUnit(context);
  const colonEnd = block.previousSibling?.endIndex ?? block.startIndex;
  return entryConfigFix(context, {
    start: colonEnd,
    end: block.startIndex,
    newText: `${eol}${indent}${BASIC_CONFIG}${eol}${indent}`,
  });
}

function entryConfigFix(context: RuleContext, insert: TextEdit): Fix {
  return {
    title: 'Configure logging at the start of the main block',
    safety: 'unsafe',
    edits: [insert, ...addSetupLines(context, importLines(context, ['logging']))],
  };
}

function notebookFix(context: RuleContext): Fix {
  return {
    title: 'Configure logging after the imports',
    safety: 'unsafe',
    edits: addSetupLines(context, [...importLines(context, ['logging']), BASIC_CONFIG]),
  };
}

function label(call: Node): string {
  return `${field(call, 'function')?.text ?? 'logging'}()`;
}

export const loggingNeverConfigured = defineRule({
  code: 'MLH104',
  name: 'logging-never-configured',
  family: 'logging',
  severity: { script: 'warning', notebook: 'information', test: 'off' },
  fix: 'always',
  triggers: ['logging'],
  docs: {
    summary: 'A program logs at INFO but never configures logging, so those records vanish.',
    why:
      'Python shows nothing below WARNING until logging is configured: without a handler on the ' +
      'root logger, `logger.info("epoch %d loss %.4f", ...)` is silently dropped. A training job ' +
      'that was carefully instrumented then runs for hours and leaves no trace of its progress, ' +
      'data sizes or chosen hyperparameters, and nobody notices until the logs are needed after a ' +
      'failure.',
    howToFix:
      'Configure logging once, at the start of the entry point: `logging.basicConfig(level=' +
      'logging.INFO, format=...)`, `logging.config.dictConfig(...)`, a handler on the root logger, ' +
      'or a logging library (loguru, structlog, rich, absl, Hydra) that does it.\n\n' +
      'What is reported: a script with an `if __name__ == "__main__":` block, or a notebook, that ' +
      'emits INFO records (`logger.info`, `logging.info`, `logger.log(logging.INFO, ...)`, through ' +
      'any alias and any logger from `logging.getLogger`) and configures logging nowhere: not in ' +
      'the program, and not in the project modules it imports directly (a sibling `utils.py`, a ' +
      'package `pkg/__init__.py` or `pkg/log.py`, found next to the program or above it; one level ' +
      'deep, by a text search for `basicConfig(`, `dictConfig(`, `fileConfig(`, `.addHandler(`, ' +
      'loguru, structlog, rich, absl, Hydra). A script is reported on its `if __name__ == ' +
      '"__main__":` line, where the configuration belongs and where a `# noqa: MLH104` reads as a ' +
      'decision; a notebook on its first INFO call.\n\n' +
      "What is not: libraries without an entry point (configuring logging is the application's " +
      'decision) or whose main block only runs their doctests or unit tests; programs that log only ' +
      'at DEBUG, which is meant to stay hidden until someone asks for it; WARNING and above, which ' +
      'Python shows anyway.',
    fixSafety:
      'The fix inserts `logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s ' +
      '%(name)s: %(message)s")` as the first statement of the main block (in a notebook, after the ' +
      'imports of the cell holding them) and adds `import logging` when missing. It is unsafe: it ' +
      'changes what the program writes to stderr, and since only the first `basicConfig` call takes ' +
      'effect, it would disable a configuration the project makes later somewhere this rule cannot ' +
      'see (deeper in its imports, or in a framework).',
    examples: {
      invalid: [
        py`
          import logging

          logger = logging.getLogger(__name__)

          def train(epochs):
              for epoch in range(epochs):
                  logger.info("epoch %d done", epoch)

          if __name__ == "__main__":
              train(10)
        `,
        py`
          import logging as log

          if __name__ == "__main__":
              log.info("loading the data")
              run()
        `,
      ],
      valid: [
        py`
          import logging

          logger = logging.getLogger(__name__)

          if __name__ == "__main__":
              logging.basicConfig(level=logging.INFO)
              logger.info("starting")
        `,
        py`
          import logging

          logger = logging.getLogger(__name__)

          def load(path):
              logger.info("loading %s", path)
              return open(path).read()
        `,
        py`
          from loguru import logger

          if __name__ == "__main__":
              logger.info("loguru logs to stderr out of the box")
        `,
        py`
          import logging

          if __name__ == "__main__":
              logging.warning("warnings are shown without configuration")
        `,
      ],
    },
  },
  create(context) {
    const { semantic, file } = context;
    return {
      module() {
        // A main block that only runs the module's doctests leaves it a library.
        const guard = mainGuards(semantic).find((g) => !isSelfTestGuard(semantic, g));
        const block = guard ? guardBody(guard) : null;
        const notebook = file.scope === 'notebook';
        // Only programs: a notebook, or a script with a main block (a library leaves logging to its caller).
        if (!notebook && !block) return;
        const call = firstInfoCall(semantic);
        // Only programs that emit INFO records, which Python drops without configuration.
        if (!call) return;
        // A handler, basicConfig, dictConfig, loguru, structlog, rich, absl or hydra configures it.
        if (configuresLogging(semantic)) return;
        // A project module the program imports may configure logging for it.
        if (importsConfiguringModule(context)) return;
        const first = `${label(call)} (${describeLocation(file, call.startIndex)})`;
        if (!notebook && guard && block) {
          const condition = field(guard, 'condition')!;
          context.report({
            start: guard.startIndex,
            end: condition.endIndex,
            message: `The entry point never configures logging, so ${first} and every other INFO record is dropped: call logging.basicConfig(...) first`,
            fixes: [entryFix(context, guard, block)],
          });
          return;
        }
        context.report({
          node: field(call, 'function')!,
          message: `Logging is never configured in this notebook, so ${label(call)} and every other INFO record is dropped: call logging.basicConfig(...) after the imports`,
          fixes: [notebookFix(context)],
        });
      },
    };
  },
});
