// The ELF vmlinux inside a bzImage, for a faster boot: QEMU's -kernel takes an ELF vmlinux with a PVH
// entry note and jumps straight into it, where a bzImage first decompresses itself in the guest (about
// 5 s of xz under TCG for Debian's 6.1). The payload is found through the setup header
// (Documentation/arch/x86/boot.rst: setup_sects at 0x1f1, "HdrS" at 0x202, payload_offset/length at
// 0x248/0x24c, counted from the protected-mode code at (setup_sects + 1) * 512); its last four bytes are
// the decompressed size (arch/x86/boot/compressed/Makefile, size_append).

import { compressionOf, decompress, type Compression } from './decompress.js';

export interface BzImagePayload {
  readonly format: Compression;
  /** The compressed kernel, without the size trailer. */
  readonly data: Buffer;
  /** The size the payload decompresses to. */
  readonly size: number;
}

/** The compressed vmlinux of a bzImage, or why there is none the lab can use. */
export function bzImagePayload(image: Buffer): BzImagePayload | string {
  if (image.length < 0x250 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') return 'not a bzImage (no HdrS setup header)';
  if (image.readUInt16LE(0x206) < 0x208) return 'boot protocol older than 2.08 (no payload fields)';
  const setupSects = image[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + image.readUInt32LE(0x248);
  const length = image.readUInt32LE(0x24c);
  if (length < 8 || start + length > image.length) return 'payload outside the image';
  const payload = image.subarray(start, start + length);
  const format = compressionOf(payload);
  if (format === undefined) return `payload compressed with a format the lab does not undo (magic ${payload.subarray(0, 4).toString('hex')})`;
  return { format, data: payload.subarray(0, length - 4), size: payload.readUInt32LE(length - 4) };
}

/** True when an ELF64 file has a Xen note of type XEN_ELFNOTE_PHYS32_ENTRY (18): QEMU can boot it via PVH. */
export function hasPvhEntry(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  for (let i = 0; i < elf.readUInt16LE(56); i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > elf.length || elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    let at = Number(elf.readBigUInt64LE(ph + 8));
    const end = at + Number(elf.readBigUInt64LE(ph + 32));
    while (at + 12 <= end && end <= elf.length) {
      const namesz = elf.readUInt32LE(at);
      const descsz = elf.readUInt32LE(at + 4);
      const type = elf.readUInt32LE(at + 8);
      const name = elf.toString('latin1', at + 12, at + 12 + Math.max(0, namesz - 1));
      if (name === 'Xen' && type === 18) return true;
      at += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/** The bootable ELF vmlinux of a bzImage, or why it cannot be had (then boot the bzImage itself). */
export async function extractVmlinux(image: Buffer, env: NodeJS.ProcessEnv): Promise<Buffer | string> {
  const payload = bzImagePayload(image);
  if (typeof payload === 'string') return payload;
  const elf = await decompress(payload.data, payload.format, 'the kernel payload', env);
  if (elf.length !== payload.size) return `payload decompressed to ${elf.length} bytes, the image says ${payload.size}`;
  if (!hasPvhEntry(elf)) return 'the vmlinux has no PVH entry note';
  return elf;
}
