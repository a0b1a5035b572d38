// A worker thread for `run --jobs N` (stream-pool.ts): runs one stream per message and replies with the
// plain result records. The scenario comes structured-cloned (plain data: maps, bigints, arrays), or, if
// it ever stops being cloneable, as its text, loaded here once per file.

import { parentPort } from 'node:worker_threads';
import { runStream } from '../runner/index.js';
import type { RunOptions, StreamRun } from '../runner/index.js';
import { loadScenario } from '../scenario/index.js';
import type { HugepageSize, ProfileName, Scenario } from '../scenario/index.js';

export interface StreamTask {
  readonly id: number;
  /** The loaded scenario, cloned; absent when it could not be cloned (then file and text are loaded). */
  readonly scenario?: Scenario;
  readonly file: string;
  readonly text: string;
  readonly size: HugepageSize;
  readonly profile: ProfileName;
  readonly opts: RunOptions;
}

export type StreamReply =
  | { readonly id: number; readonly run: StreamRun }
  | { readonly id: number; readonly error: string };

const loaded = new Map<string, Scenario>();

function scenarioOf(task: StreamTask): Scenario {
  if (task.scenario) return task.scenario;
  const key = `${task.file}\0${task.text}`;
  let s = loaded.get(key);
  if (!s) {
    const r = loadScenario(task.file, task.text);
    if (!r.scenario || r.errors.length > 0) throw new Error(`${task.file}: loads in the main thread but not in a worker`);
    s = r.scenario;
    loaded.set(key, s);
  }
  return s;
}

parentPort?.on('message', (task: StreamTask) => {
  let reply: StreamReply;
  try {
    reply = { id: task.id, run: runStream(scenarioOf(task), task.size, task.profile, task.opts) };
  } catch (e) {
    reply = { id: task.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort?.postMessage(reply);
});
