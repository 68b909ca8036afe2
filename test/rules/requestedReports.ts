import { pythonSource } from '../../server/src/engine/source';
import { parsePython } from '../../server/src/parsing/runtime';
import { SemanticModel } from '../../server/src/semantic/model';
import type { ReportInput, Rule } from '../../server/src/rules/types';
import { projectFiles } from '../../server/src/workspace/project';

export interface RequestedReport {
  text: string;
  message: string;
  /** The severity the rule asked for; undefined means the rule's configured level. */
  severity?: string;
}

/**
 * What a rule asks to report, before the engine settles the final severity: the engine keeps a
 * finding no louder than the configured level, so a rule's request for `error` is asserted here.
 * Requires `ensureEngine()` to have completed.
 */
export function requestedReports(rule: Rule, code: string, path = '/project/train.py') {
  const file = pythonSource(path, code);
  const tree = parsePython(file.text);
  const reports: RequestedReport[] = [];
  try {
    const semantic = new SemanticModel(tree);
    const report = (input: ReportInput) => {
      const start = input.node?.startIndex ?? input.start ?? 0;
      const end = input.node?.endIndex ?? input.end ?? start;
      reports.push({
        text: file.text.slice(start, end),
        message: input.message,
        severity: input.severity,
      });
    };
    const context = {
      file,
      semantic,
      options: {} as never,
      project: projectFiles(path, '/project', {}),
      report,
    };
    for (const [type, visit] of Object.entries(rule.create(context)))
      for (const node of semantic.nodes(type)) visit(node);
  } finally {
    tree.delete();
  }
  return reports;
}
