import { dirname, join, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ProjectFiles } from '../../workspace/project';

/**
 * Outputs that DVC versions: the `outs` of the stages in `dvc.yaml`. A file written to one of
 * them (or inside an output folder) is versioned by `dvc commit` / `dvc push`, so a fixed file name
 * there is not an unversioned artifact.
 */

/** One `dvc.yaml`: its folder (stage commands run there) and its outputs as absolute paths. */
export interface DvcFile {
  folder: string;
  /** Absolute output paths; `${item}` templates of `foreach` stages are kept as patterns. */
  outs: string[];
}

/**
 * The `dvc.yaml` nearest above the linted file and the one at the project root, parsed. A file
 * that is not valid YAML declares nothing.
 */
export function dvcFiles(project: ProjectFiles): DvcFile[] {
  const paths = new Set(project.findUp(['dvc.yaml']));
  if (project.root) {
    const atRoot = join(project.root, 'dvc.yaml');
    if (project.read(atRoot) !== undefined) paths.add(atRoot);
  }
  const files: DvcFile[] = [];
  for (const path of paths) {
    const text = project.read(path);
    if (text === undefined) continue;
    const folder = dirname(path);
    files.push({ folder, outs: stageOutputs(text).map((out) => resolve(folder, out)) });
  }
  return files;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** `stages.<name>.outs` (and `stages.<name>.do.outs` of `foreach`/`matrix` stages), as written. */
export function stageOutputs(text: string): string[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    return [];
  }
  if (!isRecord(document) || !isRecord(document.stages)) return [];
  const outs: string[] = [];
  for (const stage of Object.values(document.stages)) {
    if (!isRecord(stage)) continue;
    for (const list of [stage.outs, isRecord(stage.do) ? stage.do.outs : undefined]) {
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        // An entry is a path, or a one-key map from the path to its options (`cache: false`).
        if (typeof entry === 'string') outs.push(entry);
        else if (isRecord(entry)) outs.push(...Object.keys(entry));
      }
    }
  }
  return outs;
}

/** Whether an absolute path is a DVC output or lies inside an output folder. */
export function isDvcOutput(files: readonly DvcFile[], path: string): boolean {
  return files.some((file) => file.outs.some((out) => covers(out, path)));
}

function covers(out: string, path: string): boolean {
  const normalized = out.replace(/[\\/]+$/, '');
  if (!normalized.includes('${')) return path === normalized || path.startsWith(normalized + sep);
  // `${item}` and `${item.name}` of a foreach stage stand for one path segment each.
  const pattern = normalized
    .split(/\$\{[^}]*\}/)
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/\\\\]+');
  return new RegExp(`^${pattern}(?:[\\\\/].*)?$`).test(path);
}
