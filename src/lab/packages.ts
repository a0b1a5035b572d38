// Which kernel a `--kernel` value means, and getting it onto disk: a Debian version (6.1, 6.12) is the
// newest linux-image-<version>…-amd64-unsigned package apt knows, fetched once with `apt-get download`
// into the cache (.cache/hgmsim/kernels/<package>/, or $HGMSIM_CACHE/kernels/) and unpacked there with
// `dpkg-deb -x`, never installed; beside it goes the ELF vmlinux taken out of its bzImage (vmlinux.ts).
// Once a line is cached, the cache is used and the network is not.
// Anything else is a kernel image path, with modules from an optional directory.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isProfileName, type ProfileName } from '../abi/index.js';
import { compressionOf, decompress } from './decompress.js';
import { LabError } from './errors.js';
import { findOnPath, requireTool, runTool, TOOLS } from './tools.js';
import { extractVmlinux } from './vmlinux.js';

export type KernelSpec =
  | { readonly kind: 'debian'; readonly version: string }
  | { readonly kind: 'image'; readonly path: string; readonly modules?: string };

/** A `--kernel` value: `6.1`, `6.12` (any major.minor) name a Debian kernel; anything else is an image path. */
export function parseKernelSpec(text: string, modules?: string): KernelSpec {
  if (/^\d+\.\d+$/.test(text)) return { kind: 'debian', version: text };
  return { kind: 'image', path: text, ...(modules !== undefined ? { modules } : {}) };
}

/** The profile each Debian kernel line is checked against (DESIGN.md "Kernel profiles"). */
export const DEBIAN_PROFILES: Readonly<Record<string, ProfileName>> = { '6.1': 'v6.1', '6.12': 'v6.12' };

/** The profile to export for a kernel: --profile when given, else the Debian line's; a message when neither fits. */
export function kernelProfile(spec: KernelSpec, given?: string): ProfileName | { readonly error: string } {
  if (given !== undefined) return isProfileName(given) ? given : { error: `hgmsim kernel: unknown profile '${given}'` };
  if (spec.kind === 'debian') {
    const p = DEBIAN_PROFILES[spec.version];
    return p ?? { error: `hgmsim kernel: no profile is known for Linux ${spec.version}: give --profile` };
  }
  return { error: `hgmsim kernel: --kernel ${spec.path} needs --profile (the profile whose steps the programs perform)` };
}

/** Debian's package names of one kernel line: linux-image-6.1.0-57-amd64-unsigned, linux-image-6.12.118+deb12-amd64-unsigned. */
export function packagePattern(version: string): RegExp {
  return new RegExp(`^linux-image-${version.replace('.', '\\.')}(?:\\.\\d+)?(?:-\\d+|\\+deb\\d+)-amd64-unsigned$`);
}

/** The newest of `names` on the line, comparing the numbers in the names in order. */
export function newestPackage(names: readonly string[], version: string): string | undefined {
  const pattern = packagePattern(version);
  const key = (n: string): number[] => (n.match(/\d+/g) ?? []).map(Number);
  const newer = (a: string, b: string): boolean => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) > (y[i] ?? -1);
    return a > b;
  };
  return names.filter((n) => pattern.test(n)).reduce<string | undefined>((best, n) => (best === undefined || newer(n, best) ? n : best), undefined);
}

/** A kernel ready to boot. */
export interface PreparedKernel {
  /** How progress names it before the guest tells its `uname -r`: the release, or the image's file name. */
  readonly label: string;
  /** What QEMU's -kernel gets: the ELF vmlinux when it could be extracted, else the bzImage. */
  readonly image: string;
  /** Where the kernel's modules are (searched recursively by name). */
  readonly modulesDir?: string;
}

export interface LabHost {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** A progress line for stderr. */
  readonly log: (line: string) => void;
}

/** The lab's cache folder: $HGMSIM_CACHE, else .cache/hgmsim under the working directory. */
export const cacheDir = (host: Pick<LabHost, 'env' | 'cwd'>): string => resolve(host.cwd, host.env.HGMSIM_CACHE || '.cache/hgmsim');

/** What the cache keeps about an unpacked package; its file is written last, so a half-unpacked package is not used. */
interface CachedKernel {
  readonly package: string;
  readonly release: string;
  /** Relative to the package's folder. */
  readonly image: string;
  readonly modules: string;
}
const STAMP = 'kernel.json';

function readCached(dir: string): PreparedKernel | undefined {
  const stamp = join(dir, STAMP);
  if (!existsSync(stamp)) return undefined;
  const k = JSON.parse(readFileSync(stamp, 'utf8')) as CachedKernel;
  return { label: k.release, image: join(dir, k.image), modulesDir: join(dir, k.modules) };
}

async function aptPackages(version: string, host: LabHost): Promise<string[]> {
  const aptCache = findOnPath(TOOLS.aptCache.command, host.env);
  if (aptCache === undefined) return [];
  const r = await runTool(aptCache, ['search', '--names-only', `^linux-image-${version.replace('.', '\\.')}`], { env: host.env });
  return r.stdout.toString('utf8').split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n !== '');
}

async function downloadPackage(pkg: string, dir: string, host: LabHost): Promise<PreparedKernel> {
  const aptGet = requireTool('aptGet', host.env);
  const dpkgDeb = requireTool('dpkgDeb', host.env);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    host.log(`hgmsim kernel: downloading ${pkg} (apt-get download, once; kept in ${dir})`);
    const got = await runTool(aptGet, ['download', pkg], { env: host.env, cwd: tmp });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (got.status !== 0 || deb === undefined) {
      const why = got.stderr.split('\n').filter((l) => l.startsWith('E:')).join(' ') || `apt-get exited ${got.status}`;
      throw new LabError('unavailable', `hgmsim kernel: cannot download ${pkg}: ${why} (apt-get update may help)`);
    }
    const x = await runTool(dpkgDeb, ['-x', deb, 'root'], { env: host.env, cwd: tmp });
    if (x.status !== 0) throw new LabError('unavailable', `hgmsim kernel: dpkg-deb cannot unpack ${deb}: ${x.stderr.trim()}`);
    rmSync(join(tmp, deb));
    const vmlinuz = readdirSync(join(tmp, 'root/boot')).find((f) => f.startsWith('vmlinuz-'));
    if (vmlinuz === undefined) throw new LabError('unavailable', `hgmsim kernel: ${pkg} holds no boot/vmlinuz-*`);
    const release = vmlinuz.slice('vmlinuz-'.length);
    let image = `root/boot/${vmlinuz}`;
    const elf = await extractVmlinux(readFileSync(join(tmp, image)), host.env);
    if (typeof elf === 'string') host.log(`hgmsim kernel: ${release} boots from its bzImage: ${elf}`);
    else {
      writeFileSync(join(tmp, 'vmlinux'), elf);
      image = 'vmlinux';
    }
    const stamp: CachedKernel = { package: pkg, release, image, modules: `root/lib/modules/${release}` };
    writeFileSync(join(tmp, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const k = readCached(dir);
  if (k === undefined) throw new LabError('software', `hgmsim kernel: the cache entry ${dir} was not written`);
  return k;
}

/**
 * The Debian kernel of a line: the newest one in the cache when there is one (no network; a newer
 * package apt knows is only mentioned), else the newest apt knows, downloaded into the cache.
 */
async function prepareDebian(version: string, host: LabHost): Promise<PreparedKernel> {
  const kernels = join(cacheDir(host), 'kernels');
  const cached = newestPackage(existsSync(kernels) ? readdirSync(kernels).filter((n) => existsSync(join(kernels, n, STAMP))) : [], version);
  const known = newestPackage(await aptPackages(version, host), version);
  if (cached !== undefined) {
    if (known !== undefined && known !== cached && newestPackage([known, cached], version) === known) {
      host.log(`hgmsim kernel: using the cached ${cached}; apt knows the newer ${known} (remove ${join(kernels, cached)} to fetch it)`);
    }
    const k = readCached(join(kernels, cached));
    if (k !== undefined) return k;
  }
  if (known === undefined) {
    throw new LabError('unavailable', `hgmsim kernel: apt knows no package linux-image-${version}…-amd64-unsigned (run apt-get update; Debian 12 with bookworm-security has 6.1 and 6.12)`);
  }
  return downloadPackage(known, join(kernels, known), host);
}

/** A kernel image given by path: its vmlinux extracted into `scratch` when it can be, else the image. */
async function prepareImage(path: string, modules: string | undefined, scratch: string, host: LabHost): Promise<PreparedKernel> {
  const abs = resolve(host.cwd, path);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new LabError('noinput', `hgmsim kernel: ${path}: no such kernel image`);
  if (modules !== undefined && !(existsSync(resolve(host.cwd, modules)) && statSync(resolve(host.cwd, modules)).isDirectory())) {
    throw new LabError('noinput', `hgmsim kernel: ${modules}: no such modules folder`);
  }
  const modulesDir = modules !== undefined ? { modulesDir: resolve(host.cwd, modules) } : {};
  const elf = await extractVmlinux(readFileSync(abs), host.env);
  if (typeof elf === 'string') return { label: basename(path), image: abs, ...modulesDir };
  mkdirSync(scratch, { recursive: true });
  const image = join(scratch, `vmlinux-${basename(path)}`);
  writeFileSync(image, elf);
  return { label: basename(path), image, ...modulesDir };
}

/** The kernel a spec means, ready to boot; `scratch` is a temp folder for what an image path needs extracted. */
export function prepareKernel(spec: KernelSpec, scratch: string, host: LabHost): Promise<PreparedKernel> {
  return spec.kind === 'debian' ? prepareDebian(spec.version, host) : prepareImage(spec.path, spec.modules, scratch, host);
}

/** The file of module `name` (hwpoison_inject) under `dir`: hwpoison-inject.ko, .ko.xz, .ko.zst or .ko.gz. */
export function findModule(dir: string, name: string): string | undefined {
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, d.name);
    if (d.isDirectory()) {
      const found = findModule(path, name);
      if (found !== undefined) return found;
    } else if (d.name.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_') === name && /\.ko(\.(xz|zst|gz))?$/.test(d.name)) {
      return path;
    }
  }
  return undefined;
}

/** A kernel's module `name`, decompressed. */
export async function loadModule(kernel: PreparedKernel, name: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  const file = kernel.modulesDir !== undefined ? findModule(kernel.modulesDir, name) : undefined;
  if (file === undefined) {
    throw new LabError('unavailable', `hgmsim kernel: ${kernel.label} has no module ${name}${kernel.modulesDir === undefined ? ' (give --modules DIR)' : ` under ${kernel.modulesDir}`}`);
  }
  const data = readFileSync(file);
  const format = compressionOf(data);
  return format === undefined ? data : decompress(data, format, file, env);
}
