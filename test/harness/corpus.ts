import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The folder of Debian's python-sklearn-doc, fetched by scripts/corpus.mjs on first use. Where apt
 * cannot fetch it (exit status 3) the test is skipped with the reason; any other failure fails it.
 */
export function sklearnCorpus(t: TestContext): string | undefined {
  const fetch = spawnSync(process.execPath, [join(ROOT, 'scripts', 'corpus.mjs')], {
    encoding: 'utf8',
  });
  if (fetch.status === 3) {
    t.skip(`corpus unavailable: ${fetch.stderr.trim()}`);
    return undefined;
  }
  assert.equal(fetch.status, 0, fetch.stderr);
  return fetch.stdout.trim();
}
