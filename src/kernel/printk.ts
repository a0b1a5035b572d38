// The kernel log (dmesg), without timestamps so that runs are byte-identical.
// Linux: include/linux/printk.h; pr_fmt prefixes as each source file defines them.

export class KernelLog {
  /**
   * The lines, each as text or as the function that writes it: a storm of injections logs lines per
   * injection that nobody may read, so the hot call sites hand in a function of the values they print
   * (captured as values, never as live kernel objects) and the text is made when the log is read.
   */
  private readonly entries: (string | (() => string))[] = [];
  /** entries[0, written) are text. */
  private written = 0;

  printk(line: string | (() => string)): void {
    this.entries.push(line);
  }

  /** Lines logged so far. */
  get length(): number {
    return this.entries.length;
  }

  /** Every line as text. */
  get lines(): readonly string[] {
    const e = this.entries;
    for (let i = this.written; i < e.length; i++) {
      const line = e[i];
      if (typeof line === 'function') e[i] = line();
    }
    this.written = e.length;
    return e as string[];
  }
}

/** "%#lx" as printk prints it: 0x + lower-case hex (0 prints as 0). */
export const hex = (n: number): string => (n === 0 ? '0' : `0x${n.toString(16)}`);
/** A size as the model's texts print it: 4096 → 4K, 2 MiB → 2M, 1 GiB → 1G; other sizes in hex. */
export function sizeName(bytes: number): string {
  for (const [unit, scale] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `0x${bytes.toString(16)}`;
}

/** "%lx": lower-case hex without a prefix. */
export const lx = (n: number): string => n.toString(16);
