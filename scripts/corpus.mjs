// Fetches real ML code for the corpus tests: Debian's python-sklearn-doc (scikit-learn's ~285
// example scripts and ~90 notebooks) into .corpus/sklearn (git-ignored), with apt-get download and
// dpkg -x — no root needed for either. Prints the folder; exits 3 when apt is not available.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, '.corpus', 'sklearn');
const examples = join(target, 'usr', 'share', 'doc', 'python-sklearn-doc');

export function corpusPath() {
  return existsSync(examples) ? examples : undefined;
}

function fetchCorpus() {
  if (corpusPath()) return corpusPath();
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!has('apt-get') || !has('dpkg')) {
    console.error('corpus: apt-get/dpkg not available; the corpus tests are skipped');
    process.exit(3);
  }
  const download = join(root, '.corpus', 'download');
  mkdirSync(download, { recursive: true });
  const fetch = () => spawnSync('apt-get', ['download', 'python-sklearn-doc'], { cwd: download, encoding: 'utf8' });
  let result = fetch();
  if (result.status !== 0 && process.getuid?.() === 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    result = fetch();
  }
  const deb = readdirSync(download).find((f) => f.endsWith('.deb'));
  if (result.status !== 0 || !deb) {
    console.error(`corpus: apt-get download python-sklearn-doc failed: ${result.stderr.trim()}`);
    process.exit(3);
  }
  mkdirSync(target, { recursive: true });
  execFileSync('dpkg', ['-x', join(download, deb), target]);
  rmSync(download, { recursive: true, force: true });
  return corpusPath();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(fetchCorpus());
