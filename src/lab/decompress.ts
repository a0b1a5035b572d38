// Decompressing kernel payloads and modules on the host: gzip in-process (node:zlib), xz and zstd with
// their command-line tools (Node 20 has neither). The format is told by the data's magic bytes.

import { gunzipSync } from 'node:zlib';
import { LabError } from './errors.js';
import { requireTool, runTool } from './tools.js';

export type Compression = 'gzip' | 'xz' | 'zstd';

const MAGICS: readonly (readonly [Compression, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The compression `data` starts with, if one the lab can undo. */
export function compressionOf(data: Buffer): Compression | undefined {
  return MAGICS.find(([, magic]) => magic.every((b, i) => data[i] === b))?.[0];
}

/** `data` decompressed; `what` names it in the error when the tool refuses it. */
export async function decompress(data: Buffer, format: Compression, what: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  if (format === 'gzip') return gunzipSync(data);
  // xz: --single-stream stops at the end of the first stream, as the kernel's own decompressor does.
  const args = format === 'xz' ? ['-dc', '--single-stream'] : ['-dc'];
  const r = await runTool(requireTool(format, env), args, { env, input: data });
  if (r.status !== 0) throw new LabError('software', `hgmsim kernel: ${format} cannot decompress ${what}: ${r.stderr.trim()}`);
  return r.stdout;
}
