// A writer for the "newc" cpio format (070701), the one the kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst). Entries are written in the order given,
// owned by root, with mtime 0, so the same input gives the same bytes.

/** One archive member. `mode` carries the file type bits (S_IFREG 0o100000, S_IFDIR 0o040000, …). */
export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly perm?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Buffer; readonly perm?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'chardev'; readonly path: string; readonly major: number; readonly minor: number; readonly perm?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function header(ino: number, mode: number, nlink: number, size: number, rdev: readonly [number, number], name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const head = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([head, nameBytes, pad4(head.length + nameBytes.length)]);
}

/** The archive: each entry (paths without a leading slash, as the kernel expects), then the trailer. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    let mode: number;
    let data: Buffer = Buffer.alloc(0);
    let rdev: [number, number] = [0, 0];
    switch (e.kind) {
      case 'dir': mode = S_IFDIR | (e.perm ?? 0o755); break;
      case 'file': mode = S_IFREG | (e.perm ?? 0o644); data = e.data; break;
      case 'symlink': mode = S_IFLNK | 0o777; data = Buffer.from(e.target, 'utf8'); break;
      case 'chardev': mode = S_IFCHR | (e.perm ?? 0o600); rdev = [e.major, e.minor]; break;
    }
    parts.push(header(ino++, mode, e.kind === 'dir' ? 2 : 1, data.length, rdev, name), data, pad4(data.length));
  }
  parts.push(header(0, 0, 1, 0, [0, 0], 'TRAILER!!!'));
  return Buffer.concat(parts);
}
