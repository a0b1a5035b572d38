// Running streams, in order or in parallel (`run --jobs N`): N worker threads (stream-worker.ts) take
// streams from one queue. Whatever finishes first, the caller hears of streams in the sequential order:
// `start`, then each test, then `done`, so output can be streamed as it becomes known (test by test when
// sequential, stream by stream with workers). Streams are independent (each boots a fresh kernel), so
// the records are the ones a sequential run gives. No more workers start than there are streams or CPU
// cores (os.availableParallelism()), whatever --jobs asks: more would only cost memory.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runStream } from '../runner/index.js';
import type { RunOptions, StreamBudget, StreamRun, TestResult } from '../runner/index.js';
import type { HugepageSize, ProfileName, Scenario } from '../scenario/index.js';
import type { StreamReply, StreamTask } from './stream-worker.js';

export interface StreamJob {
  readonly scenario: Scenario;
  readonly size: HugepageSize;
  readonly profile: ProfileName;
  readonly opts: RunOptions;
}

/** What the caller hears of stream `i`, in stream order. */
export interface StreamEvents {
  /** The budget stream `i` may spend, asked for when it is dispatched. */
  budget(i: number): StreamBudget;
  start(i: number): void;
  test(i: number, t: TestResult): void;
  done(i: number, run: StreamRun): void;
}

const WORKER_URL = new URL('./stream-worker.js', import.meta.url);

/** The workers a run starts for --jobs `requested`: at most one per stream and one per core, at least 1. */
export function workerCount(requested: number, streams: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(requested, streams, cores));
}

export interface PoolDeps {
  /** CPU cores (default: os.availableParallelism()). */
  readonly cores?: number;
  /** Starts one worker (default: stream-worker.js of this package); tests count them. */
  readonly createWorker?: () => Worker;
}

export async function runStreams(jobs: readonly StreamJob[], requested: number, on: StreamEvents, deps: PoolDeps = {}): Promise<void> {
  const threads = workerCount(requested, jobs.length, deps.cores);
  if (threads <= 1) {
    jobs.forEach((j, i) => {
      on.start(i);
      on.done(i, runStream(j.scenario, j.size, j.profile, { ...j.opts, budget: on.budget(i), onTest: (t) => on.test(i, t) }));
    });
    return;
  }
  // Finished streams wait here until every stream before them has been handed on.
  const finished = new Map<number, StreamRun>();
  let handed = 0;
  const handOn = (): void => {
    for (let run = finished.get(handed); run !== undefined; run = finished.get(handed)) {
      finished.delete(handed);
      on.start(handed);
      for (const t of run.result.tests) on.test(handed, t);
      on.done(handed, run);
      handed++;
    }
  };
  const workers: Worker[] = [];
  let next = 0;
  const send = (w: Worker, id: number): void => {
    const j = jobs[id]!;
    const task: StreamTask = { id, file: j.scenario.file, text: j.scenario.text, size: j.size, profile: j.profile, opts: { ...j.opts, budget: on.budget(id) } };
    try {
      w.postMessage({ ...task, scenario: j.scenario });
    } catch (e) {
      // DataCloneError: the scenario holds something structured clone cannot copy; send its text.
      if (!(e instanceof Error && e.name === 'DataCloneError')) throw e;
      w.postMessage(task);
    }
  };
  const serve = (w: Worker): Promise<void> =>
    new Promise((resolve, reject) => {
      const feed = (): void => {
        if (next >= jobs.length) {
          resolve();
          return;
        }
        send(w, next++);
      };
      w.on('message', (r: StreamReply) => {
        if ('error' in r) reject(new Error(`stream ${r.id} failed in a worker: ${r.error}`));
        else {
          finished.set(r.id, r.run);
          handOn();
          feed();
        }
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        if (next < jobs.length || code !== 0) reject(new Error(`a stream worker exited early (code ${code})`));
      });
      feed();
    });
  try {
    const createWorker = deps.createWorker ?? ((): Worker => new Worker(WORKER_URL));
    for (let i = 0; i < threads; i++) workers.push(createWorker());
    await Promise.all(workers.map(serve));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
