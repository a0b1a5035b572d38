// The kernel log (dmesg), without timestamps so that runs are byte-identical.
// Linux: include/linux/printk.h; pr_fmt prefixes as each source file defines them.

export class KernelLog {
  readonly lines: string[] = [];

  printk(line: string): void {
    this.lines.push(line);
  }
}

/** "%#lx" as printk prints it: 0x + lower-case hex (0 prints as 0). */
export const hex = (n: number): string => (n === 0 ? '0' : `0x${n.toString(16)}`);
/** "%lx": lower-case hex without a prefix. */
export const lx = (n: number): string => n.toString(16);
