// The state `hgmsim show` draws: after one step of one test, every live process of the test with its
// VMAs, each VMA's page table as a tree of folded runs (PUD -> PMD -> PTE), and the folios those
// entries map. Built from the Kernel's observation methods; the renderers (report/show-text.ts,
// report/show-svg.ts) read only this.
import type { FolioView, VmaView } from '../kernel/index.js';
import type { Failure } from './results.js';

/** A VMA as the kernel shows it (flags, the page-table tree), with the names the test gave it. */
export interface ShowVma extends VmaView {
  /**
   * The mappings the test named with `mmap: {as: P}` that overlap this VMA in this process's address
   * space, in mmap order; an address prints as NAME+offset of the last one that covers it (as -v does).
   */
  readonly names: readonly { readonly name: string; readonly start: number; readonly length: number }[];
}

export interface ShowProcess {
  /** The test's name for the process ("main", a fork's or spawn's `as:`). */
  readonly name: string;
  readonly pid: number;
  readonly alive: boolean;
  readonly vmas: readonly ShowVma[];
}

export interface ShowState {
  readonly file: string;
  readonly scenario: string;
  readonly size: '2M' | '1G';
  readonly profile: string;
  readonly test: string;
  /** The step shown: its -v index, YAML line and call; null when the test ran no call step. */
  readonly step: { readonly index: number; readonly line: number; readonly in?: string; readonly call: string } | null;
  /** The --step asked for (null: the end of the test). */
  readonly requested: number | null;
  /** Whether the state is the test's end: it ran out of steps or stopped on its own before --step. */
  readonly atEnd: boolean;
  /** How the test ended when it did (atEnd); null when show stopped it. */
  readonly outcome: { readonly status: 'pass' | 'fail' | 'skip'; readonly stop?: Failure } | null;
  readonly processes: readonly ShowProcess[];
  /** Every folio a shown entry maps (present) or names (hwpoison), by head pfn. */
  readonly folios: readonly FolioView[];
  /** /proc/meminfo HardwareCorrupted, kB. */
  readonly hardwareCorrupted: number;
}
