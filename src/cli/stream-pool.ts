// Running streams, in order or in parallel (`run --jobs N`): N worker threads (stream-worker.ts) take
// streams from one queue; each result lands at its stream's index, so the output order is the
// sequential order whatever finishes first. Streams are independent (each boots a fresh kernel), so
// the results are the same records a sequential run gives. No more workers start than there are
// streams or CPU cores (os.availableParallelism()), whatever --jobs asks: more would only cost memory.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runStream } from '../runner/run.js';
import type { RunOptions, StreamRun } from '../runner/run.js';
import type { HugepageSize, ProfileName, Scenario } from '../scenario/types.js';
import type { StreamReply, StreamTask } from './stream-worker.js';

export interface StreamJob {
  readonly scenario: Scenario;
  readonly size: HugepageSize;
  readonly profile: ProfileName;
  readonly opts: RunOptions;
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

export async function runStreams(jobs: readonly StreamJob[], requested: number, deps: PoolDeps = {}): Promise<StreamRun[]> {
  const threads = workerCount(requested, jobs.length, deps.cores);
  if (threads <= 1) return jobs.map((j) => runStream(j.scenario, j.size, j.profile, j.opts));
  const createWorker = deps.createWorker ?? ((): Worker => new Worker(WORKER_URL));
  const results: StreamRun[] = new Array<StreamRun>(jobs.length);
  const workers: Worker[] = [];
  let next = 0;
  const send = (w: Worker, id: number): void => {
    const j = jobs[id]!;
    const task: StreamTask = { id, file: j.scenario.file, text: j.scenario.text, size: j.size, profile: j.profile, opts: j.opts };
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
          results[r.id] = r.run;
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
    for (let i = 0; i < threads; i++) workers.push(createWorker());
    await Promise.all(workers.map(serve));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
