import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { toolFingerprint } from '../workspace/cache';
import type { FileOutcome, LintJobOptions, Target } from './lintFile';

/**
 * The worker-thread pool of `mlhygiene check`. Each worker loads the engine once and lints the files
 * it is handed (read, parse, lint, fix); outcomes come back in any order and are passed on in the
 * order of the files, so the output of a run does not depend on how many threads did the work.
 */

/** Below this many files per worker, starting a worker (bundle + WebAssembly) costs more than it saves. */
export const MIN_FILES_PER_WORKER = 32;

/** Files handed to a worker ahead of its answers, so it never waits for the next one. */
const QUEUE_DEPTH = 2;

/** The worker entry, bundled next to the CLI (dist/checkWorker.js) or compiled next to this file. */
export const WORKER_ENTRY = join(__dirname, 'checkWorker.js');

/** The settings a worker starts with. */
export interface WorkerSetup {
  options: LintJobOptions;
  /** The CLI's own fingerprint, so cache keys do not depend on the thread. */
  fingerprint: string;
}

export type WorkerRequest = { index: number; target: Target };
export type WorkerReply =
  { index: number; outcome: FileOutcome } | { index: number; crash: string };

/**
 * How many worker threads lint `files` files: the `--jobs` option or `MLHYGIENE_JOBS` when given
 * (never more than the files), else one per core while each gets enough files to pay for its
 * start. 1 or less means the CLI's own thread does the work.
 */
export function workerCount(files: number, requested: number | undefined): number {
  if (requested !== undefined) return requested <= 1 ? 1 : Math.min(requested, files);
  if (!existsSync(WORKER_ENTRY)) return 1;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(files / MIN_FILES_PER_WORKER)));
}

/**
 * Each worker's heap is kept small: a lint makes much short-lived garbage, and V8 otherwise lets
 * every thread's heap grow far past what one file needs (the largest file of the stdlib and
 * site-packages lints within 48 MB). On the stdlib this takes the run's peak RSS from ~330 MB to
 * ~220 MB for some more garbage collection. A file that needs more than the limit is linted in the
 * CLI's own thread, which has none.
 */
export const WORKER_LIMITS: ResourceLimits = {
  maxYoungGenerationSizeMb: 12,
  maxOldGenerationSizeMb: 256,
};

/**
 * Lints `targets` on `threads` workers. `onOutcome` is called once per file, in the order of
 * `targets`; a file whose linting threw rejects the run with that error, as it would in-process.
 * `lintHere` lints a file in the calling thread, for a file that ran a worker out of memory.
 */
export function lintInWorkers(
  targets: readonly Target[],
  options: LintJobOptions,
  threads: number,
  onOutcome: (outcome: FileOutcome, index: number) => void,
  lintHere: (target: Target) => Promise<FileOutcome>,
  limits: ResourceLimits = WORKER_LIMITS,
): Promise<void> {
  if (!existsSync(WORKER_ENTRY)) {
    return Promise.reject(new Error(`the worker bundle ${WORKER_ENTRY} is missing`));
  }
  return new Promise((resolvePromise, rejectPromise) => {
    const setup: WorkerSetup = { options, fingerprint: toolFingerprint() };
    /** Each live worker with the files sent to it, oldest (the one being linted) first. */
    const sent = new Map<Worker, number[]>();
    const finished = new Map<number, FileOutcome>();
    /** Files to send again before new ones: those queued behind a file that killed a worker. */
    const resend: number[] = [];
    let nextToSend = 0;
    let nextToReport = 0;
    let settled = false;

    const stop = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const worker of sent.keys()) void worker.terminate();
      if (error) rejectPromise(error);
      else resolvePromise();
    };

    const feed = (worker: Worker) => {
      const index = resend.length
        ? resend.shift()!
        : nextToSend < targets.length
          ? nextToSend++
          : -1;
      if (index < 0) return;
      sent.get(worker)!.push(index);
      worker.postMessage({ index, target: targets[index] } satisfies WorkerRequest);
    };

    // Outcomes are held back until every earlier file's outcome has been passed on.
    const finish = (index: number, outcome: FileOutcome) => {
      finished.set(index, outcome);
      try {
        for (let next = finished.get(nextToReport); next; next = finished.get(nextToReport)) {
          finished.delete(nextToReport);
          onOutcome(next, nextToReport);
          nextToReport++;
        }
      } catch (error) {
        stop(error as Error);
        return;
      }
      if (nextToReport === targets.length) stop();
    };

    const outOfMemory = (worker: Worker) => {
      const [current, ...queued] = sent.get(worker) ?? [];
      sent.delete(worker);
      resend.unshift(...queued);
      start();
      if (current === undefined) return;
      lintHere(targets[current]).then(
        (outcome) => finish(current, outcome),
        (error: unknown) => stop(error as Error),
      );
    };

    const start = () => {
      const worker = new Worker(WORKER_ENTRY, { workerData: setup, resourceLimits: limits });
      sent.set(worker, []);
      worker.on('message', (reply: WorkerReply) => {
        if (settled) return;
        if ('crash' in reply) {
          // The worker's stack is the one worth showing, as an in-process run would.
          const error = new Error(reply.crash.split('\n')[0]);
          error.stack = reply.crash;
          stop(error);
          return;
        }
        sent.get(worker)!.shift();
        feed(worker);
        finish(reply.index, reply.outcome);
      });
      worker.on('error', (error: Error & { code?: string }) => {
        if (settled) return;
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory(worker);
        else stop(error);
      });
      worker.on('exit', (code) => {
        if (!settled && sent.has(worker)) {
          stop(new Error(`a lint worker exited early (exit code ${code})`));
        }
      });
      for (let depth = 0; depth < QUEUE_DEPTH; depth++) feed(worker);
    };

    for (let i = 0; i < threads; i++) start();
    if (targets.length === 0) stop();
  });
}
