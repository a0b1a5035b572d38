// The result channel: the guest's second serial port (ttyS1), where /init writes marker lines around
// each test and the test's stdout goes between them; nothing else writes there. This file holds the
// marker protocol and reads a channel's text back into one KernelTestRun per test.
//
//   hgmsim-lab: release 6.12.118+deb12-amd64
//   hgmsim-lab: pool 2048kB 8     (each hstate's nr_hugepages after boot)
//   hgmsim-lab: begin 1
//   <test 1's stdout>
//   hgmsim-lab: end 1 0          (the shell's $?: 128 + n when signal n killed it)
//   …
//   hgmsim-lab: done

import { constants } from 'node:os';
import type { KernelTestRun } from '../export/index.js';

export const MARK = 'hgmsim-lab:';

/** How a guest ended, as the host saw it. */
export type GuestEnd =
  | { readonly kind: 'exited'; readonly status: number | null; readonly signal: string | null }
  | { readonly kind: 'timeout'; readonly seconds: number };

export interface ChannelResult {
  /** `uname -r` as the guest printed it. */
  readonly release?: string;
  /** Hugepages each hstate holds after boot, by its sysfs name (`2048kB`, `1048576kB`). */
  readonly pools: ReadonlyMap<string, number>;
  /** One per test asked for, in that order. */
  readonly runs: readonly KernelTestRun[];
  /** /init reached its end (every test ran, whatever its result) and the guest powered off. */
  readonly complete: boolean;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** Why a test whose shell status is nonzero did not finish: `exit status 1`, `killed by SIGBUS`. */
export function statusReason(status: number): string {
  const name = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  return name ? `killed by ${name}` : `exit status ${status}`;
}

/** The first line of the console that says why the kernel died (a panic, an oops, a BUG), if any. */
export function consoleCause(consoleText: string): string | undefined {
  const lines = consoleText.replace(/\r/g, '').split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\]\s*/, '').trim());
  return lines.find((l) => l.startsWith('Kernel panic')) ?? lines.find((l) => /^(BUG|Oops|general protection fault)\b/.test(l));
}

/** What stopped the guest, for a test it was in or never reached. */
function guestStop(end: GuestEnd, cause: string | undefined): string {
  if (end.kind === 'timeout') return `the guest timed out after ${end.seconds} s`;
  return cause ? `the guest died: ${cause}` : 'the guest stopped without finishing';
}

interface TestText {
  lines: string[];
  status?: number;
}

/**
 * The runs of `tests` (test numbers, in order) from a channel's raw text (CRLF line ends: the serial
 * tty adds \r). A marker may follow text without a newline on the same line; the text before it belongs
 * to the test. `consoleText` gives the reason when the kernel died.
 */
export function parseResultChannel(raw: string, tests: readonly number[], end: GuestEnd, consoleText = ''): ChannelResult {
  let release: string | undefined;
  let done = false;
  const pools = new Map<string, number>();
  const seen = new Map<number, TestText>();
  let current: TestText | undefined;
  for (const line of raw.replace(/\r/g, '').split('\n')) {
    const at = line.indexOf(MARK);
    const text = at < 0 ? line : line.slice(0, at);
    if (current && (at < 0 || text !== '')) current.lines.push(text);
    if (at < 0) continue;
    const [word, a, b] = line.slice(at + MARK.length).trim().split(/\s+/);
    if (word === 'release' && a !== undefined) release = a;
    else if (word === 'pool' && a !== undefined && b !== undefined) pools.set(a, Number(b));
    else if (word === 'begin' && a !== undefined) {
      current = { lines: [] };
      seen.set(Number(a), current);
    } else if (word === 'end' && a !== undefined && b !== undefined) {
      const t = seen.get(Number(a));
      if (t) t.status = Number(b);
      current = undefined;
    } else if (word === 'done') done = true;
  }
  // The last line of a channel cut short may be half a line; a trailing '' is the final newline.
  for (const t of seen.values()) while (t.lines.at(-1) === '') t.lines.pop();
  const stop = guestStop(end, consoleCause(consoleText));
  let stoppedIn: number | undefined;
  const runs = tests.map((n): KernelTestRun => {
    const t = seen.get(n);
    const text = t && t.lines.length > 0 ? `${t.lines.join('\n')}\n` : '';
    if (t === undefined) {
      return { finished: false, text: '', reason: stoppedIn !== undefined ? `not run: the guest stopped in test ${stoppedIn}` : `not run: ${stop}` };
    }
    if (t.status === undefined) {
      stoppedIn = n;
      return { finished: false, text, reason: stop };
    }
    return t.status === 0 ? { finished: true, text } : { finished: false, text, reason: statusReason(t.status) };
  });
  const complete = done && end.kind === 'exited' && tests.every((n) => seen.get(n)?.status !== undefined);
  return { ...(release !== undefined ? { release } : {}), pools, runs, complete };
}
