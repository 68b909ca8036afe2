import { parentPort, workerData } from 'node:worker_threads';
import { ensureEngine } from '../engine/lint';
import { useToolFingerprint } from '../workspace/cache';
import { FileLinter } from './lintFile';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './pool';

/**
 * Entry of a `mlhygiene check` worker thread (bundled as dist/checkWorker.js): lints each file it
 * is sent and answers with the file's outcome, loading the engine once, when a file first needs it.
 */

const port = parentPort;
if (!port) throw new Error('checkWorker runs as a worker thread of the mlhygiene CLI');
const setup = workerData as WorkerSetup;
useToolFingerprint(setup.fingerprint);
const linter = new FileLinter(setup.options);

const reply = (message: WorkerReply) => port.postMessage(message);

/** Lints one file, loading the engine the first time a file is not served from the cache. */
async function handle(request: WorkerRequest): Promise<void> {
  try {
    const step = linter.begin(request.target);
    if (!('outcome' in step)) await ensureEngine();
    const outcome = 'outcome' in step ? step.outcome : step.finish();
    reply({ index: request.index, outcome });
  } catch (error) {
    reply({ index: request.index, crash: (error as Error).stack ?? String(error) });
  }
}

// Files are handled one after the other, in the order they were sent.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});
