/**
 * The in-host test runner: VS Code loads this module through `extensionTestsPath` and calls
 * `run()` inside the extension host, where the suite has the real `vscode` API. Both hosts run it
 * the same way: @vscode/test-electron (VS Code desktop) and code-server (started by
 * scripts/e2e.mjs). code-server does not pass the exit status on, so the results are also written
 * to the file named by MLHYGIENE_E2E_RESULTS, which the harness waits for and reports.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

interface SuiteResults {
  vscodeVersion: string;
  appHost: string;
  tests: TestResult[];
  /** A failure outside any test: the suite could not load or a hook failed. */
  error?: string;
}

/** Atomic: write aside, then rename, so the harness never reads half a file. */
function writeResults(results: SuiteResults): void {
  const target = process.env.MLHYGIENE_E2E_RESULTS;
  if (!target) return;
  writeFileSync(`${target}.partial`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${target}.partial`, target);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export async function run(): Promise<void> {
  const results: SuiteResults = {
    vscodeVersion: vscode.version,
    appHost: vscode.env.appHost,
    tests: [],
  };
  try {
    const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec' });
    for (const name of readdirSync(__dirname).sort()) {
      if (name.endsWith('.test.js')) mocha.addFile(join(__dirname, name));
    }
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => {
        results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
      });
      runner.on('pending', (test) =>
        results.tests.push({ title: test.fullTitle(), state: 'pending' }),
      );
      runner.on('fail', (test, error) => {
        // A failing hook is reported as a "test" named after the hook.
        results.tests.push({
          title: test.fullTitle(),
          state: 'failed',
          durationMs: test.duration,
          error: describeError(error),
        });
      });
    });
  } catch (error) {
    results.error = describeError(error);
  }
  writeResults(results);
  const failed = results.tests.filter((t) => t.state === 'failed').length;
  if (results.error) throw new Error(`the e2e suite could not run: ${results.error}`);
  if (failed > 0) throw new Error(`${failed} e2e test(s) failed`);
}
