// Each call step as C: the call a selftest would make for it (mmap(2), madvise(2), a write to a sysfs
// file …) and the bindings it makes, keyed by step name like the runner's table (runner/steps/). A step
// a kernel cannot be asked to do from user space says why, and its test is reported as SKIP on the
// kernel instead of being faked (a consumed machine check needs real hardware or a hypervisor).

import { UFFD_RANGE_IOCTLS } from '../abi/index.js';
import type { CallStep, Expr, HugepageSize, StepName } from '../scenario/index.js';
import { cExpr, cString, type CNames } from './c-expr.js';

/** What the generator knows while it writes one program. */
export interface Gen {
  readonly names: CNames;
  readonly size: HugepageSize;
}

/** A call step as C: the name failures give it, the lines that make the call into `c`, and flags. */
export interface CCall {
  /** The call as a failure line names it (runner: `o.name ?? step.op`). */
  readonly name: string;
  readonly lines: readonly string[];
  /** After hg_end: what the call allocated. */
  readonly cleanup?: readonly string[];
  /** For `expect: {bytes}` of read/pread: the file offset the read started at (a C expression). */
  readonly readOffset?: string;
  readonly addrRet?: boolean;
}

export type CStep = CCall | { readonly unperformable: string };

type Emit<K extends StepName> = (g: Gen, s: Extract<CallStep, { op: K }>) => CStep;

const e = (g: Gen, x: Expr): string => cExpr(x, g.names);
const ptr = (g: Gen, x: Expr): string => `(void *)(uintptr_t)(${e(g, x)})`;
const bind = (g: Gen, as: string | undefined, value: string): string[] => (as === undefined ? [] : [`V.${g.names.field(as)} = ${value};`]);
const flags = (names: readonly string[], map: (n: string) => string): string => (names.length ? [...new Set(names)].map(map).join(' | ') : '0');

const MFD: Readonly<Record<string, string>> = {
  MFD_HUGETLB: 'MFD_HUGETLB', MFD_CLOEXEC: 'MFD_CLOEXEC', MFD_HUGE_2MB: 'HG_MFD_HUGE_2MB', MFD_HUGE_1GB: 'HG_MFD_HUGE_1GB',
  MFD_MF_KEEP_UE_MAPPED: 'MFD_MF_KEEP_UE_MAPPED',
};
const MAP: Readonly<Record<string, string>> = { MAP_HUGE_2MB: 'HG_MAP_HUGE_2MB', MAP_HUGE_1GB: 'HG_MAP_HUGE_1GB' };
const MADV: Readonly<Record<string, string>> = { MADV_SPLIT: 'HG_MADV_SPLIT' };
/** The pfn injectors' files (Documentation/ABI: sysfs-memory-page-offline, debugfs hwpoison). */
const CORRUPT_PFN = '/sys/kernel/debug/hwpoison/corrupt-pfn';
const HARD_OFFLINE = '/sys/devices/system/memory/hard_offline_page';
const SOFT_OFFLINE = '/sys/devices/system/memory/soft_offline_page';
const HSTATE_KB: { readonly [S in HugepageSize]: number } = { '2M': 2048, '1G': 1048576 };
/** Bit numbers of the range ioctls in uffdio_register.ioctls (include/uapi/linux/userfaultfd.h _UFFDIO_*). */
export const UFFD_IOCTL_BITS: { readonly [I in (typeof UFFD_RANGE_IOCTLS)[number]]: number } = {
  WAKE: 2, COPY: 3, ZEROPAGE: 4, MOVE: 5, WRITEPROTECT: 6, CONTINUE: 7, POISON: 8,
};

/** Write a number in hex to a kernel file, as `echo 0x… >` does; ret is what write(2) returned. */
function writeFile(path: string, value: string): string[] {
  return [
    'char text[64];',
    '',
    `snprintf(text, sizeof(text), "0x%" PRIx64 "\\n", ${value});`,
    `hg_syscall(&c, hg_write_file(${cString(path)}, text));`,
  ];
}

/** Write a number to a kernel setting; ret is 0 when the write was taken (the model's sysctl and pool steps). */
function writeSetting(path: string, value: string): string[] {
  return [
    'char text[64];',
    '',
    `snprintf(text, sizeof(text), "%" PRIu64 "\\n", ${value});`,
    `hg_syscall(&c, hg_write_file(${cString(path)}, text) < 0 ? -1 : 0);`,
  ];
}

/** The uffdio_range of a range ioctl. */
const range = (g: Gen, s: { readonly args: { readonly addr: Expr; readonly length: Expr } }): string =>
  `{ .start = ${e(g, s.args.addr)}, .len = ${e(g, s.args.length)} }`;

export const C_STEPS: { readonly [K in StepName]: Emit<K> } = {
  memfd_create: (g, s) => ({
    name: 'memfd_create',
    lines: [
      `hg_syscall(&c, memfd_create(${cString(s.args.name ?? s.args.as)}, ${flags(s.args.flags, (f) => MFD[f] ?? f)}));`,
      `if (c.kind == HG_RET_OK)`,
      `\t${bind(g, s.args.as, 'c.ret')[0] ?? ''}`,
    ],
  }),
  ftruncate: (g, s) => ({ name: 'ftruncate', lines: [`hg_syscall(&c, ftruncate((int)${e(g, s.args.fd)}, (off_t)${e(g, s.args.length)}));`] }),
  close: (g, s) => ({ name: 'close', lines: [`hg_syscall(&c, close((int)${e(g, s.args.fd)}));`] }),
  pread: (g, s) => ({
    name: 'pread',
    lines: [
      `u64 len = ${e(g, s.args.length)};`,
      'unsigned char *buf = malloc(len ? len : 1);',
      '',
      `hg_syscall(&c, pread((int)${e(g, s.args.fd)}, buf, len, (off_t)${e(g, s.args.offset)}));`,
      'c.buf = buf;',
      ...bind(g, s.args.as, 'c.kind == HG_RET_OK ? (u64)c.ret : 0'),
    ],
    cleanup: ['free(buf);'],
    readOffset: e(g, s.args.offset),
  }),
  read: (g, s) => ({
    name: 'read',
    lines: [
      `u64 len = ${e(g, s.args.length)};`,
      `int fd = (int)${e(g, s.args.fd)};`,
      'unsigned char *buf = malloc(len ? len : 1);',
      ...(s.expect?.bytes !== undefined ? ['u64 offset = (u64)lseek(fd, 0, SEEK_CUR); /* for a mismatch of expect: {bytes} */'] : []),
      '',
      'hg_syscall(&c, read(fd, buf, len));',
      'c.buf = buf;',
      ...bind(g, s.args.as, 'c.kind == HG_RET_OK ? (u64)c.ret : 0'),
    ],
    cleanup: ['free(buf);'],
    readOffset: 'offset',
  }),
  lseek: (g, s) => ({
    name: 'lseek',
    lines: [
      `hg_syscall(&c, lseek((int)${e(g, s.args.fd)}, (off_t)${e(g, s.args.offset)}, ${s.args.whence}));`,
      ...bind(g, s.args.as, 'c.kind == HG_RET_OK ? (u64)c.ret : 0'),
    ],
  }),
  pwrite: (g, s) => ({
    name: 'pwrite',
    lines: [
      `u64 len = ${e(g, s.args.length)};`,
      'unsigned char *buf = calloc(1, len ? len : 1);',
      '',
      `hg_syscall(&c, pwrite((int)${e(g, s.args.fd)}, buf, len, (off_t)${e(g, s.args.offset)}));`,
    ],
    cleanup: ['free(buf);'],
  }),
  fallocate: (g, s) => ({
    name: 'fallocate',
    lines: [`hg_syscall(&c, fallocate((int)${e(g, s.args.fd)}, ${flags(s.args.mode, (f) => f)}, (off_t)${e(g, s.args.offset)}, (off_t)${e(g, s.args.length)}));`],
  }),
  mmap: (g, s) => {
    g.names.addresses.add(s.args.as);
    const prot = s.args.prot ?? ['PROT_READ', 'PROT_WRITE'];
    const fd = s.args.fd ? `(int)${e(g, s.args.fd)}` : '-1';
    return {
      name: 'mmap',
      addrRet: true,
      lines: [
        `u64 len = ${e(g, s.args.length)};`,
        '',
        `hg_syscall(&c, (s64)(intptr_t)mmap(${s.args.addr ? ptr(g, s.args.addr) : 'NULL'}, len, ${flags(prot, (f) => f)}, ${flags(s.args.flags, (f) => MAP[f] ?? f)}, ${fd}, (off_t)${s.args.offset ? e(g, s.args.offset) : '0'}));`,
        'if (c.kind == HG_RET_OK) {',
        `\t${bind(g, s.args.as, '(u64)c.ret')[0] ?? ''}`,
        `\thg_add_map(${cString(s.args.as)}, (u64)c.ret, len);`,
        '}',
      ],
    };
  },
  munmap: (g, s) => ({
    name: 'munmap',
    lines: [
      `u64 addr = ${e(g, s.args.addr)}, len = ${e(g, s.args.length)};`,
      '',
      'hg_syscall(&c, munmap((void *)(uintptr_t)addr, len));',
      'if (c.kind == HG_RET_OK)',
      '\thg_unmap_range(addr, len);',
    ],
  }),
  madvise: (g, s) => ({
    name: s.args.advice,
    lines: [
      `hg_syscall(&c, madvise(${ptr(g, s.args.addr)}, ${e(g, s.args.length)}, ${MADV[s.args.advice] ?? s.args.advice}));`,
      ...(s.args.advice === 'MADV_HWPOISON' ? ['hg->injected = 1;'] : []),
    ],
  }),
  access: (g, s) => ({
    name: 'access',
    lines: [
      `hg_access(&c, ${e(g, s.args.addr)}, ${s.args.op === 'write' ? 1 : 0}, ${s.args.value ? `(int)(${e(g, s.args.value)} % 256)` : '-1'}, ${s.args.in_thread === 'new' ? 1 : 0});`,
    ],
  }),
  check_range: (g, s) => {
    const sigbus = s.args.sigbus ?? [];
    return {
      name: 'check_range',
      lines: [
        `u64 sigbus[] = { ${sigbus.length ? sigbus.map((x) => e(g, x)).join(', ') : '0'} };`,
        '',
        `hg_check_range(&c, ${e(g, s.args.addr)}, ${e(g, s.args.length)}, ${s.args.step ? e(g, s.args.step) : 'HG_PAGE'}, (int)(${e(g, s.args.value)} % 256), ` +
          `sigbus, ${s.args.sigbus_every === true ? -1 : sigbus.length}, ${s.args.si_code ?? 'BUS_MCEERR_AR'}, ${s.args.si_addr_lsb ? `(int)(${e(g, s.args.si_addr_lsb)})` : '-1'});`,
      ],
    };
  },
  memset: (g, s) => ({
    name: 'memset',
    lines: [`c.kind = hg_memset(${e(g, s.args.addr)}, (int)(${e(g, s.args.value)} % 256), ${e(g, s.args.length)}) ? HG_ACCESS_SIG : HG_ACCESS_OK;`],
  }),
  fork: (g, s) => (s.args.reader !== undefined
    ? { unperformable: 'fork with a blocked uffd reader' }
    : { name: 'fork', lines: [`hg_syscall(&c, hg_fork(${cString(s.args.as)}));`, 'if (c.kind == HG_RET_OK)', `\t${bind(g, s.args.as, '(u64)c.ret')[0] ?? ''}`] }),
  spawn: () => ({ unperformable: 'spawn (an unrelated process sharing the test\'s names)' }),
  thread: (g, s) => ({
    name: 'pthread_create',
    lines: [`hg_syscall(&c, hg_thread(${cString(s.args.as)}));`, 'if (c.kind == HG_RET_OK)', `\t${bind(g, s.args.as, '(u64)c.ret')[0] ?? ''}`],
  }),
  sigaction: (_g, s) => (s.args.SIGBUS === 'exit_thread'
    ? { unperformable: 'sigaction(SIGBUS, exit_thread)' }
    : { name: 'sigaction', lines: [`hg_sigbus_action(${cString(s.args.SIGBUS)});`, 'hg_syscall(&c, 0);'] }),
  sigprocmask: (_g, s) => ({
    name: 'sigprocmask',
    lines: [
      'sigset_t set;',
      '',
      'sigemptyset(&set);',
      ...(s.args.signals.length > 0 ? ['sigaddset(&set, SIGBUS);'] : []),
      `hg_syscall(&c, pthread_sigmask(${s.args.how === 'block' ? 'SIG_BLOCK' : 'SIG_UNBLOCK'}, &set, NULL) ? -1 : 0);`,
    ],
  }),
  prctl: (g, s) => {
    if (s.args.op === 'get') return { name: 'prctl', lines: ['hg_syscall(&c, prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));', ...bind(g, s.args.as, 'c.kind == HG_RET_OK ? (u64)c.ret : 0')] };
    const call = s.args.policy === 'PR_MCE_KILL_CLEAR'
      ? 'prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0)'
      : `prctl(PR_MCE_KILL, PR_MCE_KILL_SET, ${s.args.policy}, 0, 0)`;
    return { name: 'prctl', lines: [`hg_syscall(&c, ${call});`] };
  },
  sysctl: (g, s) => ({
    name: s.args.name,
    lines: writeSetting(`/proc/sys/${s.args.name.replace(/\./g, '/')}`, e(g, s.args.value)),
  }),
  nr_hugepages: (g, s) => {
    const path = `/sys/kernel/mm/hugepages/hugepages-${HSTATE_KB[s.args.size ?? g.size]}kB/nr_hugepages`;
    return {
      name: 'nr_hugepages',
      lines: writeSetting(path, e(g, s.args.count)),
    };
  },
  corrupt_pfn: (g, s) => ({ name: 'corrupt-pfn', lines: [...writeFile(CORRUPT_PFN, e(g, s.args.pfn)), 'hg->injected = 1;'] }),
  hard_offline_page: (g, s) => ({ name: 'hard_offline_page', lines: [...writeFile(HARD_OFFLINE, e(g, s.args.phys)), 'hg->injected = 1;'] }),
  soft_offline_page: (g, s) => ({ name: 'soft_offline_page', lines: writeFile(SOFT_OFFLINE, e(g, s.args.phys)) }),
  pfn_of: (g, s) => {
    const find = 'free_hugepage' in s.args ? `hg_pfn_of_free_hugepage(${e(g, s.args.free_hugepage)})` : `hg_pfn_of_file((int)${e(g, s.args.fd)}, ${e(g, s.args.offset)})`;
    return {
      name: 'pfn_of',
      lines: [
        `u64 pfn = ${find};`,
        '',
        'if (pfn == (u64)-1) {',
        '\thg_out("#  !!! pfn_of: no page");',
        '\thg_stop(HG_FAIL, "pfn_of: no page");',
        '\treturn;',
        '}',
        ...bind(g, s.args.as, 'pfn'),
        'hg_syscall(&c, 0);',
      ],
    };
  },
  mce: () => ({ unperformable: 'mce (a consumed machine check needs the hardware or the hypervisor to raise it)' }),
  exit: () => ({ unperformable: 'exit (the test\'s processes are the program\'s own)' }),
  userfaultfd: (g, s) => ({
    name: 'UFFDIO_API',
    lines: [
      'struct uffdio_api api = { .api = UFFD_API };',
      '',
      `api.features = ${flags(s.args.features, (f) => `UFFD_FEATURE_${f}`)};`,
      'c.name = "userfaultfd";',
      'hg_syscall(&c, syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK));',
      'if (c.kind == HG_RET_OK) {',
      `\t${bind(g, s.args.as, '(u64)c.ret')[0] ?? ''}`,
      '\tc.name = "UFFDIO_API";',
      `\tif (ioctl((int)c.ret, UFFDIO_API, &api))`,
      '\t\thg_syscall(&c, -1);',
      '}',
    ],
  }),
  uffdio_register: (g, s) => ({
    name: 'UFFDIO_REGISTER',
    lines: [
      `struct uffdio_register r = { .range = ${range(g, s)}, .mode = ${flags(s.args.mode, (m) => `UFFDIO_REGISTER_MODE_${m}`)} };`,
      '',
      `hg_syscall(&c, ioctl((int)${e(g, s.args.uffd)}, UFFDIO_REGISTER, &r));`,
      'c.ioctls = r.ioctls;',
      'c.has_ioctls = c.kind == HG_RET_OK;',
    ],
  }),
  uffdio_unregister: (g, s) => ({
    name: 'UFFDIO_UNREGISTER',
    lines: [`struct uffdio_range r = ${range(g, s)};`, '', `hg_syscall(&c, ioctl((int)${e(g, s.args.uffd)}, UFFDIO_UNREGISTER, &r));`],
  }),
  uffdio_continue: (g, s) => ({
    name: 'UFFDIO_CONTINUE',
    lines: [`struct hg_uffdio_continue r = { .range = ${range(g, s)} };`, '', `hg_syscall(&c, ioctl((int)${e(g, s.args.uffd)}, HG_UFFDIO_CONTINUE, &r));`],
  }),
  uffdio_poison: (g, s) => ({
    name: 'UFFDIO_POISON',
    lines: [
      `struct hg_uffdio_poison r = { .range = ${range(g, s)} };`,
      '',
      `hg_syscall(&c, ioctl((int)${e(g, s.args.uffd)}, HG_UFFDIO_POISON, &r));`,
      'c.updated = r.updated;',
      'c.has_updated = 1;',
    ],
  }),
  uffdio_writeprotect: (g, s) => ({
    name: 'UFFDIO_WRITEPROTECT',
    lines: [
      `struct uffdio_writeprotect r = { .range = ${range(g, s)}, .mode = ${s.args.wp ? 'UFFDIO_WRITEPROTECT_MODE_WP' : '0'} };`,
      '',
      `hg_syscall(&c, ioctl((int)${e(g, s.args.uffd)}, HG_UFFDIO_WRITEPROTECT, &r));`,
    ],
  }),
  uffd_read: (g, s) => ({
    name: 'read',
    lines: [
      'struct uffd_msg msg;',
      '',
      `hg_syscall(&c, read((int)${e(g, s.args.uffd)}, &msg, sizeof(msg)));`,
      'if (c.kind == HG_RET_OK && msg.event == UFFD_EVENT_PAGEFAULT) {',
      '\tc.event = 1;',
      '\tc.event_addr = msg.arg.pagefault.address;',
      ...bind(g, s.args.as, 'c.event_addr').map((l) => `\t${l}`),
      '} else if (c.kind == HG_RET_OK && msg.event == UFFD_EVENT_FORK) {',
      '\tc.event = 2;',
      ...bind(g, s.args.as, '(u64)msg.arg.fork.ufd').map((l) => `\t${l}`),
      '}',
    ],
  }),
  // Observers and the loop exit are written by the generator itself (export.ts).
  print: () => ({ unperformable: 'print' }),
  dump: () => ({ unperformable: 'dump' }),
  // The model's own accounting (its signal tally, the pool at both ends of the test): a program has no such line to print.
  loss: () => ({ unperformable: 'loss' }),
  expect: () => ({ unperformable: 'expect' }),
  break: () => ({ unperformable: 'break' }),
};
