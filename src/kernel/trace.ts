// The kernel path a step took, for `run --trace`: like ftrace's function_graph tracer, each modelled
// function that decides something is entered with its arguments, its callees nest under it, and its
// return value is appended to its line when it returns. Lines use the kernel function names the model's
// code is organised by. Off (k.trace === null) nothing is formatted: a call site costs a null check
// and the closure that would build its text; hot paths (the fault path) skip even that.
// Linux: kernel/trace/trace_functions_graph.c is the model for the shape (entry, nesting, return value);
// what each line says comes from the modelled function it names.
import { sizeName } from './printk.js';
import type { KernelState } from './state.js';

export class KernelTrace {
  private lines: string[] = [];
  private depth = 0;

  /** A line at the current depth. */
  line(text: string): void {
    this.lines.push(`${'  '.repeat(this.depth)}${text}`);
  }

  /** Open a call: its line now, its callees one level deeper; returns the line's index for leave(). */
  enter(text: string): number {
    this.line(text);
    this.depth++;
    return this.lines.length - 1;
  }

  /** Close a call, appending ` = result` to its line when there is one. */
  leave(index: number, result: string | undefined): void {
    this.depth = Math.max(0, this.depth - 1);
    if (result !== undefined && result !== '') this.lines[index] += ` = ${result}`;
  }

  /** Everything traced since the last take. */
  take(): string[] {
    const out = this.lines;
    this.lines = [];
    this.depth = 0;
    return out;
  }
}

/** One trace line at the current depth (text built only when tracing). */
export function trace(k: KernelState, text: () => string): void {
  k.trace?.line(text());
}

/**
 * Run `body` as a traced call: `call()` is its line (name and arguments), `result(r)` what it returned.
 * Exceptions are hgmsim bugs and end the run, so no unwinding is needed.
 */
export function traced<T>(k: KernelState, call: () => string, body: () => T, result?: (r: T) => string): T {
  const t = k.trace;
  if (t === null) return body();
  const at = t.enter(call());
  const r = body();
  t.leave(at, result?.(r));
  return r;
}

/** A syscall's return as the trace prints it: the value or -ERRNO. */
export const sysText = (r: { readonly ok: true; readonly value: number } | { readonly ok: false; readonly errno: string }): string =>
  (r.ok ? String(r.value) : `-${r.errno}`);

/** A kernel return value as the trace prints it: 0 or -ERRNO. */
export const retText = (r: number | string): string => (typeof r === 'string' ? `-${r}` : String(r));

/** An entry size by its shift, as the trace prints it: 4K, 2M, 1G. */
export const shiftText = (shift: number): string => sizeName(2 ** shift);
