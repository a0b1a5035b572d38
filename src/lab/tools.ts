// The host programs the lab runs (QEMU, gcc, busybox, apt, dpkg-deb, xz, zstd): found on PATH, each
// named with the Debian package that installs it, and run with their output collected. A missing tool
// is a LabError('unavailable') whose message says what to install.

import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { LabError } from './errors.js';

export interface HostTool {
  /** The command looked up on PATH (or an absolute path). */
  readonly command: string;
  /** The Debian package that installs it. */
  readonly package: string;
}

export const TOOLS = {
  qemu: { command: 'qemu-system-x86_64', package: 'qemu-system-x86' },
  gcc: { command: 'gcc', package: 'gcc' },
  busybox: { command: '/bin/busybox', package: 'busybox-static' },
  aptGet: { command: 'apt-get', package: 'apt' },
  aptCache: { command: 'apt-cache', package: 'apt' },
  dpkgDeb: { command: 'dpkg-deb', package: 'dpkg' },
  xz: { command: 'xz', package: 'xz-utils' },
  zstd: { command: 'zstd', package: 'zstd' },
} as const satisfies Record<string, HostTool>;
export type ToolName = keyof typeof TOOLS;

/** Environment variables that point a tool elsewhere (a test's fake QEMU, another busybox). */
const OVERRIDES: Partial<Record<ToolName, string>> = { qemu: 'HGMSIM_QEMU', busybox: 'HGMSIM_BUSYBOX' };

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** Where `command` is: itself when it holds a slash, else the first executable of that name on PATH. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const path = join(dir, command);
    if (isExecutable(path)) return path;
  }
  return undefined;
}

/** The one-line message for a missing tool. */
export const missingToolMessage = (tool: HostTool, why = ''): string =>
  `hgmsim kernel: ${tool.command} is ${why || 'not installed'} (apt-get install ${tool.package})`;

/** The path of a tool, or a LabError naming the package to install. */
export function requireTool(name: ToolName, env: NodeJS.ProcessEnv): string {
  const override = OVERRIDES[name] !== undefined ? env[OVERRIDES[name]] : undefined;
  const tool: HostTool = override ? { command: override, package: TOOLS[name].package } : TOOLS[name];
  const path = findOnPath(tool.command, env);
  if (path === undefined) throw new LabError('unavailable', missingToolMessage(tool));
  return path;
}

/** True when an ELF executable has no program interpreter (PT_INTERP): it runs without a libc. */
export function isStaticElf(bytes: Buffer): boolean {
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2) return false; // ELF64 only
  const phoff = Number(bytes.readBigUInt64LE(32));
  const phentsize = bytes.readUInt16LE(54);
  const phnum = bytes.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) return false;
    if (bytes.readUInt32LE(at) === 3) return false; // PT_INTERP
  }
  return true;
}

/** The busybox to copy into the guest: it must be the static one (busybox-static), as the guest has no libc. */
export function requireStaticBusybox(env: NodeJS.ProcessEnv): Buffer {
  const path = requireTool('busybox', env);
  const bytes = readFileSync(path);
  if (!isStaticElf(bytes)) {
    throw new LabError('unavailable', missingToolMessage({ command: path, package: TOOLS.busybox.package }, 'not statically linked'));
  }
  return bytes;
}

export interface ToolRun {
  /** Exit status, or null when a signal ended it. */
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a program to its end with stdin from `input` (or nothing), collecting stdout and stderr. */
export function runTool(path: string, args: readonly string[], opts: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string; readonly input?: Buffer }): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(path, [...args], { cwd: opts.cwd, env: opts.env, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => resolve({ status: 127, stdout: Buffer.alloc(0), stderr: e.message }));
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    if (opts.input && child.stdin) {
      child.stdin.on('error', () => {}); // a tool that exits early closes its stdin: its status tells
      child.stdin.end(opts.input);
    }
  });
}

/** Every tool a `kernel` run needs before anything else happens, checked at once: the messages of the missing ones. */
export async function missingHostTools(names: readonly ToolName[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      if (name === 'busybox') requireStaticBusybox(env);
      else requireTool(name, env);
    } catch (e) {
      if (e instanceof LabError) missing.push(e.message);
      else throw e;
    }
  }
  const gcc = findOnPath(TOOLS.gcc.command, env);
  if (names.includes('gcc') && gcc !== undefined) {
    // gcc names the full path of a library it can link; a bare name back means libc6-dev is not there.
    const r = await runTool(gcc, ['-print-file-name=libc.a'], { env });
    if (!isAbsolute(r.stdout.toString('utf8').trim())) missing.push(missingToolMessage({ command: 'libc.a (for gcc -static)', package: 'libc6-dev' }));
  }
  return missing;
}
