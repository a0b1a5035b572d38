// The kernel model, file by file (STYLE.md §15): each subtest names the behaviour it checks and the
// source it follows. Outcomes are kernel-semantics.md §10 (observed on 6.1.192) first, then §1–§4.
import t, { type Test } from 'tap';
import { FALLOC, Kernel, MADV, MAP, MFD, PROFILES, PROT, TaskHalted, withSwitches, type AccessResult, type Halt, type SysRet, type TaskRef } from '../src/kernel/index.js';
import { ByteMap } from '../src/kernel/contents.js';
import { PageTable, setSlot } from '../src/kernel/pgtable.js';
import type { SwitchName } from '../src/abi/index.js';

const M2 = 2 * 1024 * 1024;
const G1 = 1024 * 1024 * 1024;
const RW = PROT.PROT_READ | PROT.PROT_WRITE;

let booted: Kernel[] = [];
function boot(size = M2, nr = 8): { k: Kernel; me: TaskRef } {
  const k = new Kernel({ profile: PROFILES['v6.1'], default_hugepagesz: size, nr_hugepages: new Map([[size, nr]]), comm: 'hugetlb-test' });
  booted.push(k);
  return { k, me: k.init };
}

/** A subtest whose kernels must all satisfy the model's named invariants when it ends. */
function kt(parent: Test, name: string, fn: (t: Test) => void): void {
  parent.test(name, async (t) => {
    booted = [];
    fn(t);
    for (const k of booted) t.same(k.checkInvariants(), [], 'named invariants hold');
  });
}

/** The value of a syscall or access that must succeed. */
function value(r: SysRet | AccessResult): number {
  if (!r.ok) throw new Error(`unexpected ${'errno' in r ? r.errno : 'signal' in r ? r.signal.si_code : 'blocked'}`);
  return r.value;
}

/** memfd of `len` bytes mapped shared: the selftests' setup. */
function sharedFile(k: Kernel, me: TaskRef, len: number): { fd: number; P: number } {
  const fd = value(k.memfd_create(me, 'hugetlb_tmp', MFD.MFD_HUGETLB));
  value(k.ftruncate(me, fd, len));
  const P = value(k.mmap(me, 0, len, RW, MAP.MAP_SHARED, fd, 0));
  return { fd, P };
}

t.test('contents', async (t) => {
  kt(t, 'a byte map stores ranges, not bytes', (t) => {
    const m = new ByteMap();
    m.fill(0, G1, 7);
    m.fill(4096, 8192, 9);
    t.equal(m.intervals, 3);
    t.equal(m.get(4095), 7);
    t.equal(m.get(4096), 9);
    t.equal(m.findMismatch(0, G1, 7), 4096);
    m.fill(4096, 8192, 7);
    t.equal(m.intervals, 1, 'equal neighbours merge');
    t.equal(m.findMismatch(0, G1, 7), -1);
    t.equal(m.findMismatch(0, G1 + 1, 7), G1, 'the zero background past the last range');
  });
  kt(t, 'sample: bytes a stride apart as runs of equal value, costing intervals, not samples', (t) => {
    const m = new ByteMap();
    m.fill(0, G1, 7);
    m.fill(3 * 4096, 5 * 4096, 9);
    m.fill(6 * 4096 + 1, 6 * 4096 + 2, 4); // between two samples: never read
    t.same(m.sample(0, 4096, G1 / 4096), [
      { index: 0, count: 3, value: 7 },
      { index: 3, count: 2, value: 9 },
      { index: 5, count: G1 / 4096 - 5, value: 7 },
    ]);
    t.same(m.sample(G1 - 4096, 4096, 2), [{ index: 0, count: 1, value: 7 }, { index: 1, count: 1, value: 0 }], 'the zero background');
  });
  kt(t, 'copyFrom shifts ranges', (t) => {
    const a = new ByteMap();
    a.fill(10, 20, 1);
    const b = new ByteMap();
    b.fill(0, 100, 5);
    b.copyFrom(a, 0, 50, 30);
    t.equal(b.get(49), 5);
    t.equal(b.get(55), 0);
    t.equal(b.get(60), 1);
    t.equal(b.get(80), 5);
  });
});

t.test('mmap', async (t) => {
  kt(t, 'mappings are placed top-down, hugepage aligned, at the same addresses every boot', (t) => {
    const { k, me } = boot();
    const a = sharedFile(k, me, 2 * M2).P;
    const b = sharedFile(k, me, 2 * M2).P;
    t.equal(a % M2, 0);
    t.equal(b, a - 2 * M2);
    t.equal(sharedFile(boot().k, boot().me, 2 * M2).P, a);
  });
  kt(t, 'a shared mapping reserves the file pages; ENOMEM when the pool is short', (t) => {
    const { k, me } = boot(M2, 2);
    sharedFile(k, me, 2 * M2);
    t.equal(k.pool(M2).resv, 2);
    const fd = value(k.memfd_create(me, 'x', MFD.MFD_HUGETLB));
    value(k.ftruncate(me, fd, M2));
    t.same(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0), { ok: false, errno: 'ENOMEM' });
    t.ok(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED | MAP.MAP_NORESERVE, fd, 0).ok, 'MAP_NORESERVE does not reserve');
  });
  kt(t, 'length and offset must be hugepage aligned', (t) => {
    const { k, me } = boot();
    const fd = value(k.memfd_create(me, 'x', MFD.MFD_HUGETLB));
    t.same(k.mmap(me, 0, 4096, RW, MAP.MAP_SHARED, fd, 0), { ok: false, errno: 'EINVAL' });
    t.same(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 4096), { ok: false, errno: 'EINVAL' });
    t.same(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, 99, 0), { ok: false, errno: 'EBADF' });
  });
  kt(t, 'exit_group tears the process down; a poisoned page-cache folio stays out of the pool', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    value(k.memset(me, P, 2 * M2, 1));
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    k.exit_group(me);
    t.equal(k.alive(me), false);
    t.match(k.pool(M2), { total: 8, free: 7, resv: 0 });
    const next = k.spawn();
    t.not(next.pid, me.pid);
    t.equal(sharedFile(k, next, M2).P, P + M2, 'the new mm places mappings from the same base');
  });
  kt(t, 'munmap and close give the pool back', (t) => {
    const { k, me } = boot();
    const { fd, P } = sharedFile(k, me, 2 * M2);
    value(k.memset(me, P, 2 * M2, 1));
    t.equal(k.pool(M2).free, 6);
    t.equal(k.pool(M2).resv, 0, 'faults consume the reservations');
    value(k.munmap(me, P, 2 * M2));
    t.equal(k.pool(M2).free, 6, 'the page cache keeps the pages while the file is open');
    value(k.close(me, fd));
    t.equal(k.pool(M2).free, 8);
  });
});

t.test('hugetlb', async (t) => {
  kt(t, 'a fault maps the whole hugepage at PMD level; data round-trips', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    t.same(k.access(me, P + 5, 'write', 0x42), { ok: true, value: 0x42 });
    t.same(k.access(me, P + 5, 'read'), { ok: true, value: 0x42 });
    t.match(k.mappingAt(me, P), { size: M2, kind: 'present', write: true });
    t.match(k.mappingAt(me, P + M2), { size: M2, kind: 'none' });
    t.match(k.folioAt(me, P), { refcount: 2, mapcount: 1, inPageCache: true });
  });
  kt(t, 'a fault beyond EOF is BUS_ADRERR at the exact address', (t) => {
    const { k, me } = boot();
    const fd = value(k.memfd_create(me, 'x', MFD.MFD_HUGETLB));
    const P = value(k.mmap(me, 0, 2 * M2, PROT.PROT_READ, MAP.MAP_SHARED, fd, 0));
    t.same(k.access(me, P + 17, 'read'), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_ADRERR', si_addr: P + 17, si_addr_lsb: 0 } });
  });
  kt(t, 'MAP_PRIVATE: reads map the page-cache folio, a write COWs into an anonymous folio', (t) => {
    const { k, me } = boot();
    const { fd, P: S } = sharedFile(k, me, M2);
    value(k.memset(me, S, M2, 3));
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE, fd, 0));
    t.same(k.access(me, P + 1, 'read'), { ok: true, value: 3 });
    t.match(k.folioAt(me, P), { inPageCache: true, mapcount: 2 });
    t.same(k.access(me, P + 1, 'write', 9), { ok: true, value: 9 });
    t.match(k.folioAt(me, P), { inPageCache: false, anon: true, mapcount: 1 });
    t.same(k.access(me, S + 1, 'read'), { ok: true, value: 3 }, 'the file is untouched');
    t.same(k.access(me, P + 2, 'read'), { ok: true, value: 3 }, 'the copy holds the old bytes');
  });
  kt(t, 'a 1 GiB hugepage costs intervals, not bytes', (t) => {
    const { k, me } = boot(G1, 2);
    const { P } = sharedFile(k, me, 2 * G1);
    t.same(k.memset(me, P, 2 * G1, 0xa5), { ok: true, value: 2 * G1 });
    t.same(k.checkBytes(me, P, 2 * G1, 0xa5), { ok: true });
    value(k.memset(me, P + G1 + 12345, 1, 0));
    t.same(k.checkBytes(me, P, 2 * G1, 0xa5), { ok: false, addr: P + G1 + 12345, found: 0 });
  });
});

t.test('memory-failure', async (t) => {
  kt(t, 'MADV_HWPOISON on a mapped shared hugepage (kernel-semantics.md §8.10 A, §10)', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    value(k.memset(me, P, 2 * M2, 1));
    const before = k.meminfo().HugePages_Free;
    t.same(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 });
    const pfn = k.folioAt(me, P)!.pfn + 3;
    t.same(k.dmesg, [
      `Injecting memory failure for pfn 0x${pfn.toString(16)} at process virtual address 0x${(P + 0x3000).toString(16)}`,
      `Memory failure: 0x${pfn.toString(16)}: recovery action for huge page: Recovered`,
    ]);
    t.same(k.takeSignals(), [], 'late kill: nothing is sent during the call on 6.1');
    t.match(k.folioAt(me, P), { raw_hwp_list: [3], hwpoison: true, refcount: 2, mapcount: 0 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.match(k.mappingAt(me, P), { kind: 'hwpoison', size: M2 });
    t.match(k.mappingAt(me, P + M2), { kind: 'present' });
    t.same(k.access(me, P + 0x1234, 'read'), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: P + 0x1234, si_addr_lsb: 21 } });
    t.match(k.dmesg.at(-1), /^MCE: Killing hugetlb-test:1000 due to hardware memory corruption fault at [0-9a-f]+$/);
    t.same(k.access(me, P + M2, 'read'), { ok: true, value: 1 }, 'the other hugepage is untouched');
    t.same(k.checkBytes(me, P, M2, 1), { ok: true }, 'software injection corrupts no data');
    t.equal(k.meminfo().HugePages_Free, before, 'the poisoned folio stays in the page cache');
  });
  kt(t, 'a second MADV_HWPOISON in the poisoned hugepage returns EFAULT and records nothing', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    value(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON));
    const log = k.dmesg.length;
    t.same(k.madvise(me, P + 0x5000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EFAULT' });
    t.equal(k.dmesg.length, log);
    t.match(k.folioAt(me, P), { raw_hwp_list: [3] });
    t.equal(k.meminfo().HardwareCorrupted, 4);
  });
  kt(t, 'a mapping that never faulted the page gets BUS_MCEERR_AR from the page-cache check', (t) => {
    const { k, me } = boot();
    const { fd, P } = sharedFile(k, me, M2);
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.match(k.mappingAt(me, S), { kind: 'none' });
    t.match(k.access(me, S + 7, 'write', 1), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr: S + 7, si_addr_lsb: 21 } });
  });
  kt(t, 'MADV_HWPOISON steps by the hugepage size from an unaligned start', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    value(k.madvise(me, P + M2 - 4096, 8192, MADV.MADV_HWPOISON));
    t.match(k.folioAt(me, P), { raw_hwp_list: [511] });
    t.match(k.folioAt(me, P + M2), null, 'never faulted: [hp-4K, hp+4K) poisons only the first hugepage');
    t.same(k.madvise(me, P + 0x1000, 2 * M2, MADV.MADV_HWPOISON), { ok: false, errno: 'EFAULT' }, 'the loop stops at the poisoned hugepage');
    value(k.madvise(me, P + M2 + 0x1000, 4096, MADV.MADV_HWPOISON));
    t.match(k.folioAt(me, P + M2), { raw_hwp_list: [1] }, 'GUP faulted the second hugepage in');
  });
  kt(t, 'an unaligned start is EINVAL; MADV_SPLIT and MADV_COLLAPSE are EINVAL on 6.1', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, M2);
    t.same(k.madvise(me, P + 1, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EINVAL' });
    t.same(k.madvise(me, P, M2, MADV.MADV_SPLIT), { ok: false, errno: 'EINVAL' });
    t.same(k.madvise(me, P, M2, MADV.MADV_COLLAPSE), { ok: false, errno: 'EINVAL' });
  });
  kt(t, 'a COWed private copy is dissolved; the page cache stays healthy', (t) => {
    const { k, me } = boot();
    const { fd } = sharedFile(k, me, M2);
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE, fd, 0));
    value(k.access(me, P, 'write', 5));
    const total = k.pool(M2).total;
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.equal(k.pool(M2).total, total - 1, 'dissolved: Total -1');
    t.match(k.dmesg.at(-1), /recovery action for huge page: Recovered$/);
    t.match(k.access(me, P, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr_lsb: 21 } });
  });
  kt(t, 'an anonymous private 1 GiB page: EBUSY and Failed, yet dissolved (observed on 6.1)', (t) => {
    const { k, me } = boot(G1, 2);
    const P = value(k.mmap(me, 0, G1, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P, 'write', 1));
    t.same(k.madvise(me, P, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EBUSY' });
    t.match(k.dmesg.at(-1), /recovery action for huge page: Failed$/);
    t.equal(k.pool(G1).total, 1);
    t.match(k.access(me, P + 99, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr_lsb: 30 } });
  });
  kt(t, 'an anonymous private 2 MiB page is dissolved and Recovered', (t) => {
    const { k, me } = boot();
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    t.same(k.madvise(me, P, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 }, 'GUP faults the page in first');
    t.equal(k.pool(M2).total, 7);
    t.equal(k.meminfo().HardwareCorrupted, 4);
  });
  kt(t, 'munmap + re-mmap + touch: the no-page path still finds the poisoned folio', (t) => {
    const { k, me } = boot();
    const { fd, P } = sharedFile(k, me, M2);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    value(k.munmap(me, P, M2));
    const Q = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    t.match(k.access(me, Q + M2 - 1, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr: Q + M2 - 1 } });
    value(k.munmap(me, Q, M2));
    value(k.close(me, fd));
    t.equal(k.pool(M2).free, 7, 'a poisoned page-cache folio never returns to the pool');
    t.equal(k.pool(M2).total, 8);
  });
});

/** Map a fresh file in `task` and touch every hugepage so it is present. */
function mappedFile(k: Kernel, me: TaskRef, len: number): { fd: number; P: number } {
  const f = sharedFile(k, me, len);
  value(k.memset(me, f.P, len, 1));
  return f;
}

t.test('kill policy and signals (kernel-semantics.md §1.7, §10)', async (t) => {
  kt(t, 'late kill (the default): MADV_HWPOISON sends nothing on 6.1', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.same(k.takeSignals(), []);
  });
  kt(t, 'early kill via prctl: AO at the hugepage start to the injector and to a process that never faulted', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, 2 * M2);
    value(k.prctl_mce_kill(me, 'early'));
    const q = value(k.fork(me));
    const Q = { pid: q, tid: q };
    t.match(k.mappingAt(Q, P), { kind: 'none' }, 'a shared mapping without anon_vma is not copied at fork');
    value(k.madvise(me, P + M2 + 0x3000, 4096, MADV.MADV_HWPOISON));
    const sigs = k.takeSignals();
    t.same(sigs.map((s) => [s.pid, s.info.si_code, s.info.si_addr, s.info.si_addr_lsb, s.outcome]), [
      [me.pid, 'BUS_MCEERR_AO', P + M2, 21, 'delivered'],
      [q, 'BUS_MCEERR_AO', P + M2, 21, 'delivered'],
    ]);
    t.match(k.dmesg.join('\n'), /Sending SIGBUS to hugetlb-test:\d+ due to hardware memory corruption/);
  });
  kt(t, 'vm.memory_failure_early_kill=1 makes every thread without PR_MCE_KILL early', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    value(k.sysctl('vm.memory_failure_early_kill', 1));
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.equal(k.takeSignals().length, 1);
  });
  kt(t, 'PR_MCE_KILL_LATE overrides the sysctl for that thread', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    value(k.sysctl('vm.memory_failure_early_kill', 1));
    value(k.prctl_mce_kill(me, 'late'));
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.same(k.takeSignals(), []);
  });
  kt(t, 'two VMAs of one process: one AO per VMA in i_mmap order, the second is dropped (first wins)', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.prctl_mce_kill(me, 'early'));
    value(k.madvise(me, S, 4096, MADV.MADV_HWPOISON));
    t.same(k.takeSignals().map((s) => [s.info.si_addr, s.outcome]), [[P, 'delivered'], [S, 'dropped']]);
  });
  kt(t, 'sigaction default: an access AR kills the process; exit_thread ends only the thread', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    k.sigaction(me, 'exit_thread');
    const th = k.clone_thread(me);
    t.match(k.access(th, P, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR' } });
    t.equal(k.alive(th), false, 'the handler called pthread_exit');
    t.equal(k.alive(me), true);
    k.sigaction(me, 'default');
    t.match(k.access(me, P, 'read'), { ok: false });
    t.equal(k.alive(me), false, 'the default action kills the process');
    t.same(k.takeSignals().map((s) => s.outcome), ['thread-exited', 'killed']);
    t.equal(k.pool(M2).free, 7, 'its mappings and fds went with it');
  });
  kt(t, 'a forced AR cannot be ignored or blocked: it kills; a blocked AO stays pending', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    value(k.prctl_mce_kill(me, 'early'));
    k.sigprocmask(me, true);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.same(k.takeSignals().map((s) => s.outcome), ['pending']);
    k.sigaction(me, 'ignore');
    t.match(k.access(me, P, 'read'), { ok: false });
    t.equal(k.alive(me), false);
  });
});

/** What `echo VALUE > file` writes, and so what a successful sysfs/debugfs store returns: "0x…\n". */
const echoed = (n: number): number => `0x${n.toString(16)}\n`.length;

t.test('injectors (kernel-semantics.md §1.3, §1.11, §2.2, §10)', async (t) => {
  kt(t, 'corrupt_pfn on a mapped page: Recovered; again on another raw page: already poisoned, +4 kB; same page: +0', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    const pfn = k.pfnOf(me, P + 0x3000)!;
    t.same(k.corrupt_pfn(me, pfn), { ok: true, value: echoed(pfn) }, 'the byte count written (observed on 6.1.192)');
    t.match(k.dmesg.slice(-2), [`Injecting memory failure at pfn 0x${pfn.toString(16)}`, /recovery action for huge page: Recovered$/]);
    t.same(k.corrupt_pfn(me, pfn + 2), { ok: false, errno: 'EHWPOISON' });
    t.match(k.dmesg.at(-1), /: already hardware poisoned$/);
    t.equal(k.meminfo().HardwareCorrupted, 8);
    t.same(k.corrupt_pfn(me, pfn + 2), { ok: false, errno: 'EHWPOISON' });
    t.equal(k.meminfo().HardwareCorrupted, 8);
    t.match(k.folioAt(me, P), { raw_hwp_list: [3, 5] });
  });
  kt(t, 'hard_offline_page of a free hugepage: dissolved, "free huge page: Recovered", Total -1, +4 kB', (t) => {
    const { k, me } = boot();
    const pfn = k.pfnOfFreeHugepage(M2, 0)!;
    t.same(k.hard_offline_page(me, (pfn + 1) * 4096), { ok: true, value: 11 }, '"0x40001000\\n": the byte count written');
    t.match(k.dmesg.at(-1), /recovery action for free huge page: Recovered$/);
    t.match(k.pool(M2), { total: 7, free: 7 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.same(k.hard_offline_page(me, (pfn + 1) * 4096), { ok: false, errno: 'EHWPOISON' }, 'the raw page is poisoned already');
  });
  kt(t, 'pfn_of a page-cache page nobody maps, then corrupt_pfn: Recovered, nothing to unmap', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    value(k.munmap(me, P, M2));
    const pfn = k.pfnOfFile(me, fd, 0x5000)!;
    t.same(k.corrupt_pfn(me, pfn), { ok: true, value: echoed(pfn) });
    t.same(k.pread(me, fd, 10, 0), { ok: false, errno: 'EIO' });
  });
  kt(t, 'mce in a thread: AR at the hugepage start to that thread (v6.1), then the page is gone', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    const th = k.clone_thread(me);
    t.same(k.mce(th, P + 0x1234), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: P, si_addr_lsb: 21 } });
    t.match(k.dmesg.join('\n'), /mce: Uncorrected hardware memory error in user-access at [0-9a-f]+/);
    t.match(k.mappingAt(me, P), { kind: 'hwpoison' });
  });
  kt(t, 'mce where memory_failure fails: "Memory error not recovered" and a SIGBUS SI_KERNEL (dropped behind the AR)', (t) => {
    const { k, me } = boot(G1, 2);
    const P = value(k.mmap(me, 0, G1, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P, 'write', 1));
    t.match(k.mce(me, P), { ok: false, signal: { si_code: 'BUS_MCEERR_AR' } });
    t.match(k.dmesg.at(-1), /mce: Memory error not recovered/);
    t.same(k.takeSignals().map((s) => [s.info.si_code, s.outcome]), [['BUS_MCEERR_AR', 'delivered'], ['SI_KERNEL', 'dropped']]);
  });
  kt(t, 'raw_hwp_page allocation failure: the list is lost (unreliable), its entries uncounted', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    const pfn = k.pfnOf(me, P)!;
    value(k.corrupt_pfn(me, pfn));
    k.failNext('raw_hwp_page_alloc', 1);
    t.same(k.corrupt_pfn(me, pfn + 1), { ok: false, errno: 'EHWPOISON' });
    t.match(k.folioAt(me, P), { rawHwpUnreliable: true, raw_hwp_list: [] });
    t.equal(k.meminfo().HardwareCorrupted, 0, 'the first raw page was uncounted with the list');
    t.same(k.corrupt_pfn(me, pfn + 9), { ok: false, errno: 'EHWPOISON' });
    t.equal(k.meminfo().HardwareCorrupted, 0, 'an unreliable folio records nothing more');
  });
  kt(t, 'a pfn outside the modelled memory is ENXIO', (t) => {
    const { k, me } = boot();
    t.same(k.corrupt_pfn(me, 5), { ok: false, errno: 'ENXIO' });
  });
});

t.test('soft offline (mm/memory-failure.c soft_offline_page, inferred from source)', async (t) => {
  const sysfs = (phys: number): string => `0x${phys.toString(16)}\n`;
  kt(t, 'MADV_SOFT_OFFLINE of an in-use page-cache folio: migrated to a pool folio, every entry re-pointed, old raw page poisoned', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.access(me, S + 5, 'read'));
    const c = value(k.fork(me));
    const C = { pid: c, tid: c };
    value(k.access(C, P + 6, 'read'));
    const old = k.pfnOf(me, P)!;
    t.match(k.folioAt(me, P), { refcount: 4, mapcount: 3 });
    t.same(k.madvise(me, P + 0x3000, 4096, MADV.MADV_SOFT_OFFLINE), { ok: true, value: 0 });
    t.equal(k.dmesg.at(-1), `Soft offlining pfn 0x${(old + 3).toString(16)} at process virtual address 0x${(P + 0x3000).toString(16)}`);
    const now = k.pfnOf(me, P)!;
    t.not(now, old, 'P maps a new folio');
    t.equal(k.pfnOf(me, S), now, 'the second mapping is re-pointed');
    t.equal(k.pfnOf(C, P), now, "the child's entry is re-pointed");
    t.equal(k.pfnOfFile(me, fd, 0), now, 'the page cache holds the new folio');
    t.match(k.folioAt(me, P), { refcount: 4, mapcount: 3, hwpoison: false, inPageCache: true });
    t.same(k.checkBytes(me, P, M2, 1), { ok: true }, 'contents moved');
    t.same(k.access(C, P + 0x3000, 'read'), { ok: true, value: 1 });
    t.match(k.pool(M2), { total: 7, free: 6, resv: 0 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.notMatch(k.dmesg.join('\n'), /recovery action/, 'no action_result');
    t.same(k.soft_offline_page(me, sysfs((old + 3) * 4096)), { ok: true, value: sysfs((old + 3) * 4096).length }, 'already poisoned: 0');
    t.equal(k.dmesg.at(-1), `soft_offline_page: 0x${(old + 3).toString(16)} page already poisoned`);
    t.equal(k.meminfo().HardwareCorrupted, 4);
  });
  kt(t, 'an anonymous folio shared with a fork child: both entries re-pointed, the anon rmap moves', (t) => {
    const { k, me } = boot();
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P + 9, 'write', 4));
    const c = value(k.fork(me));
    const C = { pid: c, tid: c };
    const old = k.pfnOf(me, P)!;
    t.same(k.madvise(me, P, M2, MADV.MADV_SOFT_OFFLINE), { ok: true, value: 0 });
    t.not(k.pfnOf(me, P), old);
    t.equal(k.pfnOf(C, P), k.pfnOf(me, P));
    t.match(k.folioAt(C, P), { anon: true, mapcount: 2, refcount: 2 });
    t.same(k.access(C, P + 9, 'read'), { ok: true, value: 4 });
    t.same(k.access(C, P + 9, 'write', 5), { ok: true, value: 5 }, 'a COW from the new folio');
    t.same(k.access(me, P + 9, 'read'), { ok: true, value: 4 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
  });
  kt(t, '2 MiB, no unreserved free folio: a temporary hugepage from buddy; the pool nets out unchanged', (t) => {
    const { k, me } = boot(M2, 1);
    const { P } = mappedFile(k, me, M2);
    const old = k.pfnOf(me, P)!;
    t.same(k.madvise(me, P, 4096, MADV.MADV_SOFT_OFFLINE), { ok: true, value: 0 });
    t.ok(k.pfnOf(me, P)! > old, 'a fresh folio outside the boot pool');
    t.match(k.pool(M2), { total: 1, free: 0, resv: 0, surplus: 0 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.same(k.checkBytes(me, P, M2, 1), { ok: true });
  });
  kt(t, '1 GiB, no unreserved free folio: ENOMEM, "hugepage migration failed -12", the folio put back', (t) => {
    const { k, me } = boot(G1, 1);
    const { P } = mappedFile(k, me, G1);
    const old = k.pfnOf(me, P)!;
    t.same(k.madvise(me, P + 0x5000, 4096, MADV.MADV_SOFT_OFFLINE), { ok: false, errno: 'ENOMEM' });
    t.match(k.dmesg.at(-1), new RegExp(`^soft offline: 0x${(old + 5).toString(16)}: hugepage migration failed -12, type 0x`));
    t.equal(k.pfnOf(me, P), old);
    t.match(k.folioAt(me, P), { refcount: 2, mapcount: 1 });
    t.match(k.pool(G1), { total: 1, free: 0 });
    t.equal(k.meminfo().HardwareCorrupted, 0);
    t.same(k.madvise(me, P, 4096, MADV.MADV_SOFT_OFFLINE), { ok: false, errno: 'ENOMEM' }, 'still migratable');
  });
  kt(t, '1 GiB with a free pool folio: migrated, Total -1, Free -1, +4 kB', (t) => {
    const { k, me } = boot(G1, 2);
    const { P } = mappedFile(k, me, G1);
    t.same(k.madvise(me, P, 4096, MADV.MADV_SOFT_OFFLINE), { ok: true, value: 0 });
    t.match(k.pool(G1), { total: 1, free: 0 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.same(k.checkBytes(me, P, G1, 1), { ok: true });
  });
  kt(t, 'sysfs on a free hugepage: dissolved and poisoned, no dmesg; every free folio reserved: EBUSY', (t) => {
    const { k, me } = boot(M2, 2);
    const pfn = k.pfnOfFreeHugepage(M2, 0)!;
    const before = k.dmesg.length;
    t.same(k.soft_offline_page(me, sysfs((pfn + 1) * 4096)), { ok: true, value: sysfs((pfn + 1) * 4096).length });
    t.equal(k.dmesg.length, before, 'nothing logged');
    t.match(k.pool(M2), { total: 1, free: 1 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
    sharedFile(k, me, M2); // reserves the last free folio
    const last = k.pfnOfFreeHugepage(M2, 0)!;
    t.same(k.soft_offline_page(me, sysfs(last * 4096)), { ok: false, errno: 'EBUSY' });
    t.match(k.pool(M2), { total: 1, free: 1, resv: 1 });
    t.equal(k.meminfo().HardwareCorrupted, 4);
  });
  kt(t, 'sysfs on a poisoned in-use folio: head raw page already poisoned (0); a tail raw page fails to migrate (6.1, EBUSY) or is unhandlable (6.12, EIO)', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    const head = k.pfnOf(me, P)!;
    value(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON));
    const pool = k.pool(M2);
    t.same(k.soft_offline_page(me, sysfs((head + 5) * 4096)), { ok: false, errno: 'EBUSY' }, '6.1 keeps the folio migratable');
    t.match(k.dmesg.at(-1), new RegExp(`^soft offline: 0x${(head + 5).toString(16)}: hugepage migration failed 1, type `));
    t.same(k.pool(M2), pool, 'the migration target went back to the pool');
    t.same(k.soft_offline_page(me, sysfs(head * 4096)), { ok: true, value: sysfs(head * 4096).length });
    t.equal(k.dmesg.at(-1), `soft_offline_page: 0x${head.toString(16)} page already poisoned`);
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.equal(k.pfnOfFile(me, fd, 0), head, 'still in the page cache');
    t.same(k.madvise(me, P, 4096, MADV.MADV_SOFT_OFFLINE), { ok: false, errno: 'EFAULT' }, 'GUP meets the hwpoison entry');

    const k12 = new Kernel({ profile: PROFILES['v6.12'], default_hugepagesz: M2, nr_hugepages: new Map([[M2, 8]]), comm: 'hugetlb-test' });
    booted.push(k12);
    const { P: Q } = mappedFile(k12, k12.init, M2);
    const head12 = k12.pfnOf(k12.init, Q)!;
    k12.madvise(k12.init, Q + 0x3000, 4096, MADV.MADV_HWPOISON);
    t.same(k12.soft_offline_page(k12.init, sysfs((head12 + 5) * 4096)), { ok: false, errno: 'EIO' }, '6.12 leaves it non-migratable');
    t.match(k12.dmesg.at(-1), /unhandlable page\.$/);
  });
  kt(t, 'sysfs: a malformed address is EINVAL, memory the model does not know is ENXIO', (t) => {
    const { k, me } = boot();
    t.same(k.soft_offline_page(me, 'zz\n'), { ok: false, errno: 'EINVAL' });
    t.same(k.soft_offline_page(me, '0x1000\n'), { ok: false, errno: 'ENXIO' });
  });
  kt(t, '--trace shows the migration: target, re-pointed entries, the old folio freed and its raw page retired', (t) => {
    const { k, me } = boot(M2, 1);
    const { P } = mappedFile(k, me, M2);
    k.startTrace();
    value(k.madvise(me, P, 4096, MADV.MADV_SOFT_OFFLINE));
    const tr = k.takeTrace().join('\n');
    t.match(tr, /soft_offline_page\(pfn=0x[0-9a-f]+, MF_COUNT_INCREASED\) = 0/);
    t.match(tr, /unmap_and_move_huge_page\(folio 0x[0-9a-f]+, MR_MEMORY_FAILURE\) = 0/);
    t.match(tr, /alloc_migrate_hugetlb_folio: temporary folio/);
    t.match(tr, /entries re-pointed at 0x[0-9a-f]+ \(pid 1000\)/);
    t.match(tr, /put_folio: old folio freed to buddy \(temporary\)/);
    t.match(tr, /page_handle_poison: raw page 0x[0-9a-f]+ taken off buddy, PG_hwpoison, num_poisoned_pages 1/);
  });
  kt(t, 'HGM: a folio mapped by a 4 KiB entry is not migrated: "migration failed 1", EBUSY', (t) => {
    const k = new Kernel({ profile: PROFILES['hgm-v2'], default_hugepagesz: M2, nr_hugepages: new Map([[M2, 8]]), comm: 'hugetlb-hgm' });
    booted.push(k);
    const me = k.init;
    const fd = value(k.memfd_create(me, 'hugetlb_tmp', MFD.MFD_HUGETLB));
    value(k.ftruncate(me, fd, M2));
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.memset(me, S, M2, 7));
    const u = value(k.userfaultfd(me));
    value(k.uffdio_api(me, u, ['SIGBUS']));
    value(k.madvise(me, P, M2, MADV.MADV_SPLIT));
    value(k.uffdio_register(me, u, P, M2, ['MINOR']));
    value(k.uffdio_continue(me, u, P, 4096));
    const old = k.pfnOf(me, S)!;
    t.same(k.madvise(me, S, 4096, MADV.MADV_SOFT_OFFLINE), { ok: false, errno: 'EBUSY' });
    t.match(k.dmesg.at(-1), /hugepage migration failed 1, type/);
    t.equal(k.pfnOf(me, S), old);
    t.equal(k.meminfo().HardwareCorrupted, 0);
  });
});

t.test('fork (kernel-semantics.md §8, DESIGN.md fork rule)', async (t) => {
  kt(t, 'a private written mapping has an anon_vma: tables are copied, the first write COWs', (t) => {
    const { k, me } = boot();
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P, 'write', 4));
    const c = value(k.fork(me));
    const C = { pid: c, tid: c };
    t.match(k.mappingAt(C, P), { kind: 'present', write: false });
    t.match(k.folioAt(C, P), { mapcount: 2 });
    t.same(k.access(C, P, 'write', 5), { ok: true, value: 5 });
    t.same(k.access(me, P, 'read'), { ok: true, value: 4 }, 'the parent keeps its copy');
  });
  kt(t, "a child's private COW has no reservation: it SIGBUSes when the pool is empty", (t) => {
    const { k, me } = boot(M2, 1);
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P, 'write', 4));
    const c = value(k.fork(me));
    t.same(k.access({ pid: c, tid: c }, P + 8, 'write', 5), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_ADRERR', si_addr: P + 8, si_addr_lsb: 0 } });
  });
  kt(t, 'hwpoison entries are copied; a child of a poisoned mapping gets AR too', (t) => {
    const { k, me } = boot();
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P, 'write', 4));
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    const c = value(k.fork(me));
    t.match(k.mappingAt({ pid: c, tid: c }, P), { kind: 'hwpoison' });
    t.match(k.access({ pid: c, tid: c }, P, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr_lsb: 21 } });
  });
});

t.test('hugetlbfs read, fallocate, truncate (kernel-semantics.md §4.1, §10)', async (t) => {
  kt(t, 'read: EIO for any read touching a poisoned hugepage, earlier bytes discarded; f_pos unchanged', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, 2 * M2);
    value(k.madvise(me, P + M2 + 0x1000, 4096, MADV.MADV_HWPOISON));
    t.same(k.pread(me, fd, M2, 0), { ok: true, value: M2 });
    t.same(k.pread(me, fd, 2 * M2, 0), { ok: false, errno: 'EIO' });
    t.same(k.pread(me, fd, 0x800, M2 + 0x800), { ok: false, errno: 'EIO' });
    t.same(k.pread(me, fd, 100, 4 * M2), { ok: true, value: 0 }, 'at EOF');
    t.same(k.pread(me, fd, 2 * M2), { ok: false, errno: 'EIO' });
    t.same(k.pread(me, fd, 16), { ok: true, value: 16 }, 'read() still starts at 0');
    t.same(k.pwrite(me, fd, 16, 0), { ok: false, errno: 'EINVAL' });
  });
  kt(t, 'fallocate PUNCH_HOLE of the poisoned hugepage: 0; the range refaults as a fresh zero page; the pool is not refilled', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.same(k.fallocate(me, fd, FALLOC.FALLOC_FL_PUNCH_HOLE, 0, M2), { ok: false, errno: 'EOPNOTSUPP' }, 'PUNCH_HOLE needs KEEP_SIZE');
    value(k.fallocate(me, fd, FALLOC.FALLOC_FL_PUNCH_HOLE | FALLOC.FALLOC_FL_KEEP_SIZE, 0, M2));
    t.same(k.access(me, P + 5, 'read'), { ok: true, value: 0 });
    t.equal(k.pool(M2).free, 6, 'one page leaked to poison, one mapped again');
  });
  kt(t, 'ftruncate(0) after poison, then touching the old mapping: BUS_ADRERR', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    value(k.ftruncate(me, fd, 0));
    t.match(k.access(me, P, 'read'), { ok: false, signal: { si_code: 'BUS_ADRERR', si_addr: P } });
  });
});

t.test('userfaultfd (kernel-semantics.md §5, §10)', async (t) => {
  const uffd = (k: Kernel, me: TaskRef, features: Parameters<Kernel['uffdio_api']>[2]): number => {
    const u = value(k.userfaultfd(me));
    value(k.uffdio_api(me, u, features));
    return u;
  };
  kt(t, 'UFFDIO_API: WP_UNPOPULATED is not offered on 6.1; a second UFFDIO_API is EINVAL', (t) => {
    const { k, me } = boot();
    const u = value(k.userfaultfd(me));
    t.same(k.uffdio_api(me, u, ['WP_UNPOPULATED']), { ok: false, errno: 'EINVAL' });
    t.ok(k.uffdio_api(me, u, ['SIGBUS']).ok);
    t.same(k.uffdio_api(me, u, ['SIGBUS']), { ok: false, errno: 'EINVAL' });
  });
  kt(t, 'UFFDIO_POISON (v6.6+): unknown without UFFD_FEATURE_POISON; aligned markers that fault as poison; EEXIST over any entry', (t) => {
    const { k: old, me: oldMe } = boot();
    const { P: oldP } = sharedFile(old, oldMe, M2);
    const ou = uffd(old, oldMe, ['SIGBUS']);
    value(old.uffdio_register(oldMe, ou, oldP, M2, ['MISSING']));
    t.same(old.uffdio_poison(oldMe, ou, oldP, M2), { ret: { ok: false, errno: 'EINVAL' }, updated: 0 }, '6.1 has no UFFDIO_POISON');
    // A kernel that offers the feature: the profile's list, with POISON added (the version profile comes later).
    const base = PROFILES['v6.1'];
    const profile = { ...base, switches: { ...base.switches, userfaultfd: { api_features: [...base.switches.userfaultfd.api_features, 'POISON' as const] } } };
    const k = new Kernel({ profile, default_hugepagesz: M2, nr_hugepages: new Map([[M2, 8]]), comm: 'hugetlb-test' });
    booted.push(k);
    const me = k.init;
    const { fd, P } = sharedFile(k, me, 2 * M2);
    value(k.memset(me, P + M2, M2, 7)); // the second hugepage is mapped before the range is registered
    const u = uffd(k, me, ['POISON']);
    value(k.uffdio_register(me, u, P, 2 * M2, ['MISSING']));
    t.same(k.uffdio_poison(me, u, P, 4096), { ret: { ok: false, errno: 'EINVAL' }, updated: -22 }, '4 KiB on hugetlb: -EINVAL written');
    t.same(k.uffdio_poison(me, u, P + 1, M2), { ret: { ok: false, errno: 'EINVAL' }, updated: 0 }, 'validate_range fails before updated');
    t.same(k.uffdio_poison(me, u + 1, P, M2), { ret: { ok: false, errno: 'EBADF' }, updated: 0 });
    const hc = k.meminfo().HardwareCorrupted;
    t.same(k.uffdio_poison(me, u, P, M2), { ret: { ok: true, value: 0 }, updated: M2 });
    t.equal(k.meminfo().HardwareCorrupted, hc, 'no counter moves');
    t.match(k.mappingAt(me, P), { kind: 'marker', size: M2 });
    t.match(k.access(me, P + 0x3000, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr: P + 0x3000, si_addr_lsb: 21 } });
    t.match(k.dmesg.at(-1), /^MCE: Killing hugetlb-test:\d+ due to hardware memory corruption fault at /);
    t.same(k.uffdio_poison(me, u, P, M2), { ret: { ok: false, errno: 'EEXIST' }, updated: -17 }, 'a marker is not overwritten');
    t.same(k.uffdio_poison(me, u, P, 2 * M2), { ret: { ok: false, errno: 'EEXIST' }, updated: -17 });
    // Another mapping of the file fills the page cache; the marker stays, and a fresh mapping is clean.
    const Q = value(k.mmap(me, 0, 2 * M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.memset(me, Q, M2, 5));
    t.match(k.access(me, P, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR' } });
    t.same(k.access(me, Q + 1, 'read'), { ok: true, value: 5 });
    t.equal(k.madvise(me, P, 4096, MADV.MADV_HWPOISON).ok, false, 'GUP on a poison marker fails');
  });
  kt(t, 'UFFDIO_REGISTER needs hugepage alignment', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    const u = uffd(k, me, ['SIGBUS']);
    t.same(k.uffdio_register(me, u, P, 4096, ['MISSING']), { ok: false, errno: 'EINVAL' });
    t.same(k.uffdio_register(me, u, P, 2 * M2, ['MISSING']), { ok: true, value: 0, out: { ioctls: ['WAKE', 'COPY'] } }, 'ioctls: no POISON on 6.1');
    const { P: Q } = sharedFile(k, me, M2);
    t.same(k.uffdio_register(me, u, Q, M2, ['MINOR', 'WP']), { ok: true, value: 0, out: { ioctls: ['WAKE', 'COPY', 'WRITEPROTECT', 'CONTINUE'] } }, 'WRITEPROTECT with WP, CONTINUE with MINOR');
  });
  kt(t, 'MISSING fault: BUS_ADRERR with UFFD_FEATURE_SIGBUS; blocked with a PAGEFAULT message without it', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    const u = uffd(k, me, ['SIGBUS']);
    value(k.uffdio_register(me, u, P, 2 * M2, ['MISSING']));
    t.match(k.access(me, P + 3, 'read'), { ok: false, signal: { si_code: 'BUS_ADRERR', si_addr: P + 3 } });
    const { P: Q } = sharedFile(k, me, M2);
    const v = uffd(k, me, ['EXACT_ADDRESS']);
    value(k.uffdio_register(me, v, Q, M2, ['MISSING']));
    t.same(k.access(me, Q + 3, 'read'), { ok: false, blocked: 'userfaultfd', uffd: v });
    t.same(k.uffd_read(me, v), { event: 'PAGEFAULT', address: Q + 3, flags: [] });
    t.same(k.uffd_read(me, v), { errno: 'EAGAIN' });
    t.match(k.madvise(me, Q, 4096, MADV.MADV_HWPOISON), { ok: false, blocked: { uffd: v } }, 'GUP blocks too');
  });
  kt(t, 'UFFDIO_CONTINUE: EINVAL for 4 KiB, 0 for a hugepage (mapped at 2M), EEXIST again, EIO on a poisoned folio', (t) => {
    const { k, me } = boot();
    const { fd, P: S } = mappedFile(k, me, 2 * M2);
    const P = value(k.mmap(me, 0, 2 * M2, RW, MAP.MAP_SHARED, fd, 0));
    const u = uffd(k, me, ['SIGBUS']);
    value(k.uffdio_register(me, u, P, 2 * M2, ['MINOR']));
    t.match(k.access(me, P, 'read'), { ok: false, signal: { si_code: 'BUS_ADRERR' } }, 'MINOR fault with SIGBUS');
    t.same(k.uffdio_continue(me, u, P, 4096), { ok: false, errno: 'EINVAL' });
    t.same(k.uffdio_continue(me, u, P, M2), { ok: true, value: 0 });
    t.match(k.mappingAt(me, P), { kind: 'present', size: M2 });
    t.same(k.uffdio_continue(me, u, P, M2), { ok: false, errno: 'EEXIST' });
    value(k.madvise(me, S + M2, 4096, MADV.MADV_HWPOISON));
    t.same(k.uffdio_continue(me, u, P + M2, M2), { ok: false, errno: 'EIO' });
  });
  kt(t, 'UFFDIO_WRITEPROTECT: markers on never-populated entries; reads work, writes BUS_ADRERR; un-protect; poison drops the wp bit', (t) => {
    const { k, me } = boot();
    const { P } = sharedFile(k, me, 2 * M2);
    const u = uffd(k, me, ['SIGBUS']);
    value(k.uffdio_register(me, u, P, 2 * M2, ['WP']));
    value(k.uffdio_writeprotect(me, u, P, 2 * M2, true));
    t.match(k.mappingAt(me, P), { kind: 'marker', uffdWp: true });
    t.same(k.pagemap(me, P), { present: false, swapped: false, file_shared: false, exclusive: false, uffd_wp: true, pfn: 0 });
    t.same(k.access(me, P + 1, 'read'), { ok: true, value: 0 });
    t.match(k.mappingAt(me, P), { kind: 'present', uffdWp: true, write: false });
    t.match(k.access(me, P + 1, 'write', 1), { ok: false, signal: { si_code: 'BUS_ADRERR', si_addr: P + 1 } });
    value(k.uffdio_writeprotect(me, u, P, 2 * M2, false));
    t.same(k.access(me, P + 1, 'write', 1), { ok: true, value: 1 });
    t.match(k.mappingAt(me, P + M2), { kind: 'none' }, 'un-protect drops markers');
    value(k.uffdio_writeprotect(me, u, P, M2, true));
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    t.match(k.mappingAt(me, P), { kind: 'hwpoison', uffdWp: false });
  });
  kt(t, 'fork with EVENT_FORK: the child stays registered and uffd-wp armed, its tables copied; a FORK message', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    const u = uffd(k, me, ['EVENT_FORK', 'SIGBUS']);
    value(k.uffdio_register(me, u, P, M2, ['WP']));
    value(k.uffdio_writeprotect(me, u, P, M2, true));
    t.same(k.fork(me), { ok: false, errno: 'EINTR', blocked: { uffd: u } }, 'nobody reads the FORK message: fork waits');
    t.match(k.uffd_read(me, u), { event: 'FORK' });
    const c = value(k.fork(me, [u]));
    t.match(k.mappingAt({ pid: c, tid: c }, P), { kind: 'present', uffdWp: true });
    t.same(k.uffd_read(me, u), { errno: 'EAGAIN' }, 'the reader thread took the message');
  });
});

t.test('observables and limits', async (t) => {
  kt(t, 'prune(start, end) drops only the emptied tables under the range', (t) => {
    const pt = new PageTable();
    const a = pt.alloc(0x40000000, 12); // a PTE under PUD 1, PMD 0
    const b = pt.alloc(0x40200000, 12); // a PTE under PUD 1, PMD 1
    const c = pt.alloc(0x80000000, 21); // an empty PMD table under PUD 2
    for (const s of [a, b]) setSlot(s, { kind: 'marker', uffdWp: true, poisoned: false });
    setSlot(a, undefined);
    t.ok(pt.offset(0x40000000, 21), 'PMD 0 still holds its empty PTE table before the prune');
    pt.prune(0x40000000, 0x40200000);
    t.equal(pt.offset(0x40000000, 12), undefined, "PMD 0's empty PTE table is gone");
    t.match(pt.walk(0x40200000), { shift: 12 }, "PMD 1's table, outside the range, stays");
    t.ok(pt.offset(0x80000000, 21) !== undefined && c.shift === 21, 'the empty table outside the range is left for its own prune');
    pt.prune();
    t.equal(pt.offset(0x80000000, 21), undefined, 'a whole-tree prune takes it');
  });
  kt(t, 'poisonedStillMapped looks only at the raw pages it is given, and only listed ones', (t) => {
    const k = new Kernel({ profile: PROFILES['hgm-rfc'], default_hugepagesz: M2, nr_hugepages: new Map([[M2, 2]]), comm: 'hugetlb-test' });
    booted.push(k);
    const me = k.init;
    const { P } = mappedFile(k, me, M2);
    k.failNext('hugetlb_split_to_shift', 1);
    const head = k.folioAt(me, P)!.pfn;
    t.same(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EBUSY' });
    t.same(k.takePoisonCalls(), [head + 3], 'memory_failure was called for raw page 3');
    t.same(k.poisonedStillMapped([head + 3]), [{ pfn: head + 3, raw: 3, pid: me.pid, addr: P + 0x3000 }], 'the split failed: it stays mapped');
    t.same(k.poisonedStillMapped([head + 4]), [], 'raw page 4 is not listed');
    t.same(k.takePoisonCalls(), [], 'taken once');
  });
  kt(t, 'smaps: a page mapped once is Private_Hugetlb even in MAP_SHARED; twice is Shared_Hugetlb', (t) => {
    const { k, me } = boot();
    const { fd, P } = mappedFile(k, me, M2);
    t.match(k.smaps(me, P), { Shared_Hugetlb: 0, Private_Hugetlb: 2048, KernelPageSize: 2048 });
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.access(me, S, 'read'));
    t.match(k.smaps(me, P), { Shared_Hugetlb: 2048, Private_Hugetlb: 0 });
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    // The hwpoison entry still counts, by the folio's mapcount (now 0): observed on 6.1.192.
    t.match(k.smaps(me, P), { Shared_Hugetlb: 0, Private_Hugetlb: 2048 });
    t.match(k.pagemap(me, P), { present: false, swapped: false }, 'a hwpoison entry is neither present nor swapped');
  });
  kt(t, 'nr_hugepages grows and shrinks the pool, never below what is in use or reserved', (t) => {
    const { k, me } = boot(M2, 2);
    sharedFile(k, me, M2);
    value(k.set_nr_hugepages(M2, 5));
    t.match(k.pool(M2), { total: 5, free: 5, resv: 1 });
    value(k.sysctl('vm.nr_hugepages', 0));
    t.match(k.pool(M2), { total: 1, free: 1, resv: 1 });
  });
  kt(t, 'a 2 MiB shared mapping covering a PUD-aligned 1 GiB range would share PMD tables', (t) => {
    const { k, me } = boot(M2, 1024);
    const fd = value(k.memfd_create(me, 'x', MFD.MFD_HUGETLB));
    value(k.ftruncate(me, fd, 2 * G1));
    const P = value(k.mmap(me, 0, 2 * G1, RW, MAP.MAP_SHARED | MAP.MAP_NORESERVE, fd, 0));
    t.equal(k.pmdShareable(me, P), true);
    const Q = value(k.mmap(me, 0, 4 * M2, RW, MAP.MAP_SHARED, fd, 0));
    t.equal(k.pmdShareable(me, Q), false);
  });
  kt(t, 'vm.memory_failure_recovery=0: the next memory failure panics the kernel', (t) => {
    const { k, me } = boot();
    const { P } = mappedFile(k, me, M2);
    value(k.sysctl('vm.memory_failure_recovery', 0));
    k.madvise(me, P, 4096, MADV.MADV_HWPOISON);
    t.match(k.dmesg.at(-1), /^Kernel panic - not syncing: Memory failure on page [0-9a-f]+$/);
    t.equal(k.alive(me), false);
  });
  kt(t, 'per-node memory-failure stats do not exist on 6.1', (t) => {
    t.equal(boot().k.mfStats(), null);
  });
});

t.test('HGM v2 (kernel-semantics.md §6; profile hgm-v2)', async (t) => {
  const bootHgm = (size = M2, nr = 8): { k: Kernel; me: TaskRef } => {
    const k = new Kernel({ profile: PROFILES['hgm-v2'], default_hugepagesz: size, nr_hugepages: new Map([[size, nr]]), comm: 'hugetlb-hgm' });
    booted.push(k);
    return { k, me: k.init };
  };
  /** The selftest's setup: P and S map one file; P is split and registered MINOR (+ more modes). */
  const hgmSetup = (k: Kernel, me: TaskRef, H: number, modes: Parameters<Kernel['uffdio_register']>[4]) => {
    const fd = value(k.memfd_create(me, 'hugetlb_tmp', MFD.MFD_HUGETLB));
    value(k.ftruncate(me, fd, 2 * H));
    const P = value(k.mmap(me, 0, 2 * H, RW, MAP.MAP_SHARED, fd, 0));
    const S = value(k.mmap(me, 0, 2 * H, RW, MAP.MAP_SHARED, fd, 0));
    const u = value(k.userfaultfd(me));
    value(k.uffdio_api(me, u, ['SIGBUS', 'EXACT_ADDRESS', 'EVENT_FORK']));
    value(k.madvise(me, P, 2 * H, MADV.MADV_SPLIT));
    value(k.uffdio_register(me, u, P, 2 * H, modes));
    return { fd, P, S, u };
  };
  /** test_continues(): pieces L/2, L/4, … 4K at offset L - 2*size, each memset through S, then CONTINUE. */
  const continues = (k: Kernel, me: TaskRef, P: number, S: number, u: number, L: number): number => {
    let k_ = 0;
    for (let size = L / 2; size >= 4096; size /= 2) {
      k_++;
      const off = L - 2 * size;
      value(k.memset(me, S + off, size, k_));
      value(k.uffdio_continue(me, u, P + off, size));
    }
    return k_;
  };
  kt(t, 'MADV_SPLIT: shared hugetlb only, and it changes no mapping', (t) => {
    const { k, me } = bootHgm();
    const { P } = mappedFile(k, me, M2);
    t.same(k.madvise(me, P, M2, MADV.MADV_SPLIT), { ok: true, value: 0 });
    t.match(k.mappingAt(me, P), { kind: 'present', size: M2 });
    const A = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    t.same(k.madvise(me, A, M2, MADV.MADV_SPLIT), { ok: false, errno: 'EINVAL' });
  });
  kt(t, 'CONTINUE with HGM: the largest aligned size that fits, so 2 MiB pieces give one PMD, then 511 PTEs and a 4 KiB hole', (t) => {
    const { k, me } = bootHgm();
    const { P, S, u } = hgmSetup(k, me, M2, ['MISSING', 'WP', 'MINOR']);
    t.equal(continues(k, me, P, S, u, 2 * M2), 10);
    t.same(k.pageTableRuns(me, P, P + 2 * M2).map((r) => [r.start - P, r.size, r.kind, r.count]), [
      [0, M2, 'present', 1],
      [M2, 4096, 'present', 511],
      [2 * M2 - 4096, 4096, 'none', 1],
    ]);
    t.same(k.checkBytes(me, P + M2 + M2 / 2, M2 / 4, 3), { ok: true });
    t.match(k.folioAt(me, P + M2), { refcount: 1 + 1 + 511, mapcount: 1 }, 'page cache, S, and one reference per PTE');
    t.match(k.access(me, P + 2 * M2 - 1, 'read'), { ok: false, signal: { si_code: 'BUS_ADRERR' } }, 'the hole: a MINOR fault');
    t.same(k.uffdio_continue(me, u, P + M2, 4096), { ok: false, errno: 'EEXIST' });
    t.same(k.uffdio_continue(me, u, P, 4096), { ok: false, errno: 'EEXIST' }, 'a larger leaf is there');
    t.match(k.smaps(me, P), { HugetlbPmdMapped: 2048, HugetlbPteMapped: 2044 });
  });
  kt(t, 'CONTINUE with HGM at 1 GiB: a PUD, then PMDs, then PTEs (19 pieces)', (t) => {
    const { k, me } = bootHgm(G1, 4);
    const { P, S, u } = hgmSetup(k, me, G1, ['MISSING', 'WP', 'MINOR']);
    t.equal(continues(k, me, P, S, u, 2 * G1), 19);
    t.same(k.pageTableRuns(me, P, P + 2 * G1).map((r) => [r.size, r.kind, r.count]), [
      [G1, 'present', 1], [M2, 'present', 511], [4096, 'present', 511], [4096, 'none', 1],
    ]);
  });
  kt(t, 'uffd-wp markers split into the next level, every slot a marker; a fault maps at the entry size', (t) => {
    const { k, me } = bootHgm();
    const { P, S, u } = hgmSetup(k, me, M2, ['MISSING', 'WP']);
    value(k.uffdio_writeprotect(me, u, P, 2 * M2, true));
    value(k.memset(me, S, 2 * M2, 1));
    // CONTINUE needs a registered VMA, not MINOR mode; it splits the hugepage-level marker on its way.
    value(k.uffdio_continue(me, u, P, 4096));
    t.match(k.mappingAt(me, P), { size: 4096, kind: 'present', uffdWp: false, write: true });
    t.match(k.mappingAt(me, P + 4096), { size: 4096, kind: 'marker', uffdWp: true });
    t.match(k.mappingAt(me, P + M2), { size: M2, kind: 'marker' });
    t.match(k.access(me, P + 4096 + 5, 'read'), { ok: true, value: 1 }, 'a fault maps at the marker entry size');
    t.match(k.mappingAt(me, P + 4096), { size: 4096, kind: 'present', uffdWp: true });
    t.match(k.access(me, P + 4096 + 5, 'write', 2), { ok: false, signal: { si_code: 'BUS_ADRERR' } });
  });
  kt(t, 'memory_failure under HGM v2 unmaps every hugetlb_pte of the hugepage, in every VMA; lsb stays the hstate shift', (t) => {
    const { k, me } = bootHgm();
    const { P, S, u } = hgmSetup(k, me, M2, ['MISSING', 'WP', 'MINOR']);
    continues(k, me, P, S, u, 2 * M2);
    t.same(k.madvise(me, P, 2 * M2, MADV.MADV_HWPOISON), { ok: true, value: 0 });
    t.same(k.pageTableRuns(me, P, P + 2 * M2).map((r) => [r.size, r.kind, r.count]), [
      [M2, 'hwpoison', 1], [4096, 'hwpoison', 511], [4096, 'none', 1],
    ]);
    t.match(k.mappingAt(me, S + M2), { kind: 'hwpoison', size: M2 });
    t.equal(k.meminfo().HardwareCorrupted, 8, 'two raw pages: one per hugepage');
    t.same(k.access(me, P + M2 + 0x2000, 'read'), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: P + M2 + 0x2000, si_addr_lsb: 21 } });
    t.match(k.access(me, P + 2 * M2 - 1, 'read'), { ok: false, signal: { si_code: 'BUS_MCEERR_AR', si_addr_lsb: 21 } }, 'the hole: the page-cache check comes before MINOR');
    t.same(k.madvise(me, P, 2 * M2, MADV.MADV_COLLAPSE), { ok: true, value: 0 });
    t.match(k.mappingAt(me, P + M2 + 0x2000), { kind: 'hwpoison', size: 4096 }, 'a poisoned hugepage stays split');
  });
  kt(t, 'MADV_COLLAPSE: one hstate-size entry again; markers and write protection dropped', (t) => {
    const { k, me } = bootHgm();
    const { P, S, u } = hgmSetup(k, me, M2, ['MISSING', 'WP', 'MINOR']);
    continues(k, me, P, S, u, 2 * M2);
    t.same(k.madvise(me, P, 2 * M2, MADV.MADV_COLLAPSE), { ok: true, value: 0 });
    t.same(k.pageTableRuns(me, P, P + 2 * M2).map((r) => [r.size, r.kind, r.count]), [[M2, 'present', 2]]);
    t.same(k.access(me, P + 2 * M2 - 1, 'read'), { ok: true, value: 0 }, 'the hole is readable and zero');
    t.match(k.folioAt(me, P + M2), { refcount: 3, mapcount: 2 });
  });
  kt(t, 'fork with an armed uffd-wp child copies the tables at their granularity', (t) => {
    const { k, me } = bootHgm();
    const { P, S, u } = hgmSetup(k, me, M2, ['MISSING', 'WP', 'MINOR']);
    continues(k, me, P, S, u, 2 * M2);
    const c = value(k.fork(me, [u]));
    const runs = (task: TaskRef) => k.pageTableRuns(task, P, P + 2 * M2).map((r) => [r.size, r.kind, r.count]);
    t.same(runs({ pid: c, tid: c }), runs(me));
  });
});

t.test('the RFC: PAGE_SIZE unmapping (kernel-semantics.md §7, §8.10 C; profile hgm-rfc)', async (t) => {
  const bootRfc = (size = M2, nr = 8, overrides: Partial<Record<SwitchName, boolean>> = {}): { k: Kernel; me: TaskRef } => {
    const profile = withSwitches(PROFILES['hgm-rfc'], new Map(Object.entries(overrides) as [SwitchName, boolean][]));
    const k = new Kernel({ profile, default_hugepagesz: size, nr_hugepages: new Map([[size, nr]]), comm: 'hugetlb-rfc' });
    booted.push(k);
    return { k, me: k.init };
  };
  const layout = (k: Kernel, me: TaskRef, a: number, b: number) => k.pageTableRuns(me, a, b).map((r) => [r.start - a, r.size, r.kind, r.count]);
  kt(t, 'a 2 MiB hugepage: split into 512 PTEs in every shared VMA, only the raw page unmapped', (t) => {
    const { k, me } = bootRfc();
    const { fd, P } = mappedFile(k, me, M2);
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.access(me, S, 'read'));
    t.same(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 });
    for (const base of [P, S]) {
      t.same(layout(k, me, base, base + M2), [[0, 4096, 'present', 3], [0x3000, 4096, 'hwpoison', 1], [0x4000, 4096, 'present', 508]]);
    }
    t.match(k.dmesg.at(-1), /recovery action for huge page: Recovered$/);
    t.equal(k.meminfo().HardwareCorrupted, 4);
    t.same(k.access(me, P + 0x3008, 'read'), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: P + 0x3008, si_addr_lsb: 21 } }, 'the split hwpoison entry still reports the hstate lsb');
    t.same(k.access(me, P + 0x4000, 'read'), { ok: true, value: 1 });
    // A second raw page: GUP succeeds on the healthy PTE and the whole recovery runs again.
    t.same(k.madvise(me, P + 0x80000, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 });
    t.match(k.folioAt(me, P), { raw_hwp_list: [3, 128] });
    t.equal(k.meminfo().HardwareCorrupted, 8);
    t.same(k.checkBytes(me, P + 0x4000, 0x7c000, 1), { ok: true });
  });
  kt(t, '1 GiB: 511 PMD leaves + one PTE table (511 present, 1 hwpoison); a private mapping is unmapped whole; a never-faulted one fails to split (§8.10 C)', (t) => {
    const { k, me } = bootRfc(G1, 4);
    const { fd, P } = mappedFile(k, me, G1);
    const Q = value(k.mmap(me, 0, G1, RW, MAP.MAP_SHARED, fd, 0));
    const R = value(k.mmap(me, 0, G1, PROT.PROT_READ, MAP.MAP_PRIVATE, fd, 0));
    value(k.access(me, R, 'read'));
    value(k.madvise(me, P + 0x3003000, 4096, MADV.MADV_HWPOISON));
    t.same(layout(k, me, P, P + G1), [
      [0, M2, 'present', 24], [24 * M2, 4096, 'present', 3], [24 * M2 + 0x3000, 4096, 'hwpoison', 1],
      [24 * M2 + 0x4000, 4096, 'present', 508], [25 * M2, M2, 'present', 487],
    ]);
    t.match(k.mappingAt(me, R), { kind: 'hwpoison', size: G1 });
    t.match(k.mappingAt(me, Q), { kind: 'none' });
    const log = k.dmesg.join('\n');
    t.match(log, /Failed to split huge mapping: vaddr=0x[0-9a-f]+ in VMA=/);
    t.match(log, /mapped by 3 VMAs but 1 unmappings are expected/);
    t.match(log, /recovery action for huge page: Recovered/);
    t.match(k.access(me, Q + 5 * M2 + 8, 'read'), { ok: true, value: 1 });
    t.match(k.mappingAt(me, Q + 5 * M2), { kind: 'present', size: M2 }, 'a healthy 2 MiB region maps at 2 MiB');
    t.match(k.access(me, Q + 24 * M2 + 0x5000, 'read'), { ok: true, value: 1 });
    t.match(k.mappingAt(me, Q + 24 * M2 + 0x5000), { kind: 'present', size: 4096 }, 'next to the poisoned page: 4 KiB');
    t.same(k.access(me, Q + 0x3003010, 'read'), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: Q + 0x3003010, si_addr_lsb: 12 } });
    t.match(k.access(me, R + 8, 'read'), { ok: false, signal: { si_addr_lsb: 30 } });
  });
  kt(t, 'a pfn injector on a new raw page of a poisoned folio takes the busy path: unknown page Ignored, +1, still mapped', (t) => {
    const { k, me } = bootRfc();
    const { P } = mappedFile(k, me, M2);
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    const pfn = k.pfnOf(me, P + 0x5000)!;
    t.same(k.corrupt_pfn(me, pfn), { ok: false, errno: 'EBUSY' });
    t.match(k.dmesg.at(-1), /recovery action for unknown page: Ignored$/);
    t.equal(k.meminfo().HardwareCorrupted, 8);
    t.match(k.mappingAt(me, P + 0x5000), { kind: 'present', size: 4096 }, 'the poisoned raw page stays mapped');
    t.match(k.folioAt(me, P), { raw_hwp_list: [0, 5] });
  });
  kt(t, 'failure paths: HGM enable or split failing leaves that VMA mapped at huge size; the unmap check passes, the refcount check fails', (t) => {
    for (const point of ['hugetlb_enable_hgm_vma', 'hugetlb_split_to_shift'] as const) {
      const { k, me } = bootRfc();
      const { P } = mappedFile(k, me, M2);
      k.failNext(point, 1);
      t.same(k.madvise(me, P + 0x2000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EBUSY' });
      t.match(k.mappingAt(me, P), { kind: 'present', size: M2 }, `${point}: left mapped`);
      const log = k.dmesg.join('\n');
      t.match(log, point === 'hugetlb_enable_hgm_vma' ? /failed to enable HGM on eligible VMA/ : /Failed to split huge mapping/);
      t.notMatch(log, /unmapping failed page/, 'expected (0) == actual (0): the unmap counts as done');
      t.match(log, /huge page still referenced by 1 users\n.*recovery action for huge page: Failed$/, 'the refcount check sees the remaining mapping');
    }
  });
  kt(t, 'raw_hwp_page allocation failure: -ENOMEM, retried, then "already hardware poisoned"', (t) => {
    const { k, me } = bootRfc();
    const { P } = mappedFile(k, me, M2);
    k.failNext('raw_hwp_page_alloc', 1);
    t.same(k.madvise(me, P, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EHWPOISON' });
    t.match(k.dmesg.at(-1), /already hardware poisoned$/);
    t.match(k.folioAt(me, P), { rawHwpUnreliable: true, raw_hwp_list: [] });
  });
  /** The call's TaskHalted (bug.ts), or a test failure when the call returned. */
  const halts = (t: Test, call: () => unknown): Halt | undefined => {
    try {
      call();
    } catch (e) {
      if (e instanceof TaskHalted) return e.halt;
      throw e;
    }
    t.fail('the call returned');
    return undefined;
  };
  kt(t, 'posted code: a second poison in another 2 MiB region of a split 1 GiB page is a kernel BUG with the locks held (RFC-F1)', (t) => {
    const { k, me } = bootRfc(G1, 6);
    const { P } = mappedFile(k, me, G1);
    value(k.madvise(me, P + 24 * M2, 4096, MADV.MADV_HWPOISON));
    const hc = k.meminfo().HardwareCorrupted;
    const halt = halts(t, () => k.madvise(me, P + 30 * M2 + 0x1000, 4096, MADV.MADV_HWPOISON));
    t.match(halt, { kind: 'bug', bug: { file: 'mm/hugetlb.c', line: 8320, func: 'hugetlb_split_to_shift_present_leaf', pid: me.pid } });
    if (halt?.kind === 'bug') t.same(halt.bug.locks.map((l) => l.replace(/0x[0-9a-f]+|\d+/g, 'N')), ['mf_mutex', 'folio lock of N', 'i_mmap_rwsem of inode N']);
    t.equal(k.alive(me), false, 'the task died in the kernel');
    t.match(k.dmesg.join('\n'), /kernel BUG at mm\/hugetlb\.c:8320!\n.*invalid opcode[^\n]*\n.*Comm: [^\n]*\nRIP: 0010:hugetlb_split_to_shift_present_leaf/);
    t.equal(k.meminfo().HardwareCorrupted, hc, 'action_result never ran for the second raw page');
    t.same(k.takeFindings().map((f) => f.id), ['RFC-F1']);
    // Another task's memory_failure sleeps on mf_mutex; its exit is fine, the dead task's mm stays.
    const other = k.spawn();
    const Q = mappedFile(k, other, G1).P;
    t.match(halts(t, () => k.madvise(other, Q, 4096, MADV.MADV_HWPOISON)), { kind: 'lock', lock: 'mf_mutex', holder: { pid: me.pid } });
    t.equal(k.alive(other), true, 'a task asleep on a lock is not dead');
  });
  kt(t, 'posted code: a second poison in the same 2 MiB region remaps the first poisoned raw page (RFC-F2); the intent splits the right entry', (t) => {
    for (const posted of [true, false]) {
      const { k, me } = bootRfc(G1, 4, { rfc_posted_split_walk_from_head: posted });
      const { P } = mappedFile(k, me, G1);
      value(k.madvise(me, P + 24 * M2, 4096, MADV.MADV_HWPOISON));
      t.same(k.madvise(me, P + 24 * M2 + 0x1000, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 });
      t.match(k.mappingAt(me, P + 24 * M2 + 0x1000), { kind: 'hwpoison', size: 4096 });
      if (posted) {
        t.match(k.mappingAt(me, P + 24 * M2), { kind: 'present', size: 4096 }, 'the first poisoned raw page is mapped again');
        t.match(k.mappingAt(me, P), { kind: 'none' }, "region 0's entry was cleared");
        t.same(k.takeFindings().map((f) => [f.id, f.raw]), [['RFC-F2', 24 * 512]]);
      } else {
        t.match(k.mappingAt(me, P + 24 * M2), { kind: 'hwpoison', size: 4096 });
        t.match(k.mappingAt(me, P), { kind: 'present', size: M2 });
        t.same(k.takeFindings(), []);
      }
    }
  });
  kt(t, 'a split that fails: the posted code skips the VMA (refcount check fails), the cover letter ignores the recovery', (t) => {
    for (const posted of [true, false]) {
      const { k, me } = bootRfc(M2, 8, { rfc_posted_split_failure_skips_vma: posted });
      const { P } = mappedFile(k, me, M2);
      k.failNext('hugetlb_split_to_shift', 1);
      t.same(k.madvise(me, P + 0x2000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EBUSY' });
      t.match(k.dmesg.at(-1), posted ? /recovery action for huge page: Failed$/ : /recovery action for unmapping failed page: Ignored$/);
      t.match(k.mappingAt(me, P), { kind: 'present', size: M2 });
    }
  });
  kt(t, 'intent: a second poison in another 2 MiB region is split and unmapped like the first', (t) => {
    const { k, me } = bootRfc(G1, 4, { rfc_posted_split_walk_from_head: false });
    const { P } = mappedFile(k, me, G1);
    value(k.madvise(me, P + 24 * M2, 4096, MADV.MADV_HWPOISON));
    t.same(k.madvise(me, P + 30 * M2 + 0x1000, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 });
    t.match(k.mappingAt(me, P + 30 * M2 + 0x1000), { kind: 'hwpoison', size: 4096 });
  });
  kt(t, 'posted code: an anonymous folio is reported still mapped after a good unmap (missing negation)', (t) => {
    for (const posted of [true, false]) {
      const { k, me } = bootRfc(M2, 8, { rfc_posted_unmap_success_check: posted });
      const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
      value(k.access(me, P, 'write', 1));
      const r = k.madvise(me, P, 4096, MADV.MADV_HWPOISON);
      t.same(r, posted ? { ok: false, errno: 'EBUSY' } : { ok: true, value: 0 });
      t.match(k.dmesg.at(-1), posted ? /unmapping failed page: Ignored$/ : /huge page: Recovered$/);
    }
  });
  kt(t, 'posted code: the first fault of a never-faulted mapping after the split maps raw page 0 (RFC-F3)', (t) => {
    for (const [size, nr, region] of [[M2, 4, 4096], [G1, 2, M2]] as const) {
      for (const posted of [true, false]) {
        const { k, me } = bootRfc(size, nr, { rfc_posted_no_page_pre_split_subpage: posted });
        const { fd, P } = mappedFile(k, me, size);
        value(k.memset(me, P + 5 * region, region, 6));
        value(k.madvise(me, P + 24 * region, 4096, MADV.MADV_HWPOISON));
        k.takeFindings();
        const S = value(k.mmap(me, 0, size, RW, MAP.MAP_SHARED, fd, 0));
        t.same(k.access(me, S + 5 * region + 8, 'read'), { ok: true, value: posted ? 1 : 6 }, `${size}: region 5 reads ${posted ? "region 0's" : 'its own'} contents`);
        t.match(k.mappingAt(me, S + 5 * region), { kind: 'present', size: region });
        t.same(k.checkBytes(me, S + 5 * region, region, posted ? 1 : 6), { ok: true }, 'a bytes check reads what the entry maps');
        t.same(k.takeFindings().map((f) => [f.id, f.raw, f.other, f.addr]), posted ? [['RFC-F3', 0, 5 * region / 4096, S + 5 * region]] : []);
        t.same(k.access(me, S + 6 * region, 'read'), { ok: true, value: 1 }, 'the next fault stops at the split level and maps its own page');
        t.same(k.takeFindings(), []);
      }
    }
  });
  kt(t, 'posted code: the -ENOMEM retry puts the caller\'s reference twice (RFC-F4)', (t) => {
    for (const posted of [true, false]) {
      const { k, me } = bootRfc(M2, 8, { rfc_posted_nomem_retry_put_twice: posted });
      const { P } = mappedFile(k, me, M2);
      value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
      const before = k.folioAt(me, P + 4096)?.refcount ?? 0;
      t.equal(before, 1 + 511 + 1, 'the page cache, 511 PTEs, memory_failure');
      k.failNext('raw_hwp_page_alloc', 1);
      t.same(k.madvise(me, P + 4096, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EHWPOISON' });
      t.equal(k.folioAt(me, P + 4096)?.refcount, posted ? before - 1 : before);
      t.same(k.takeFindings().filter((f) => f.id === 'RFC-F4').map((f) => [f.raw, f.count]), posted ? [[1, before - 1]] : []);
      t.same(k.checkInvariants(), [], 'the invariant counts the reference put twice');
    }
  });
  kt(t, 'posted code: a put twice that would free a folio still mapped keeps it (RFC-F4, refcount 0)', (t) => {
    const { k, me } = bootRfc();
    const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
    value(k.access(me, P, 'write', 1));
    k.failNext('raw_hwp_page_alloc', 1);
    t.same(k.madvise(me, P, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EHWPOISON' });
    t.same(k.takeFindings().map((f) => [f.id, f.count]), [['RFC-F4', 0]]);
    t.match(k.folioAt(me, P), { refcount: 1, mapcount: 1 }, 'not freed while mapped');
    t.same(k.access(me, P, 'read'), { ok: true, value: 1 });
    value(k.munmap(me, P, M2));
    t.equal(k.pool(M2).free, 8, 'the last unmap frees it once');
  });
  kt(t, 'posted code: a fault through the emptied list of an unreliable folio maps the poisoned raw page (RFC-F5)', (t) => {
    for (const posted of [true, false]) {
      const { k, me } = bootRfc(M2, 8, { rfc_posted_unreliable_fault_list_only: posted });
      const { fd, P } = mappedFile(k, me, M2);
      k.failNext('raw_hwp_page_alloc', 1);
      t.same(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EHWPOISON' });
      k.takeFindings();
      const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
      const r = k.access(me, S + 0x3008, 'read');
      if (posted) {
        t.same(r, { ok: true, value: 1 });
        t.match(k.mappingAt(me, S), { kind: 'present', size: M2 });
        t.same(k.takeFindings().map((f) => [f.id, f.raw, f.addr]), [['RFC-F5', 3, S + 0x3000]]);
      } else {
        t.same(r, { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: S + 0x3008, si_addr_lsb: 12 } });
        t.match(k.access(me, S + 0x5000, 'read'), { ok: false, signal: { si_addr_lsb: 12 } }, 'every raw page counts as poisoned');
        t.same(k.takeFindings(), []);
      }
    }
  });
  kt(t, 'posted code: the missing negation is noted where it reports a good unmap as failed (RFC-F6)', (t) => {
    for (const posted of [true, false]) {
      const { k, me } = bootRfc(M2, 8, { rfc_posted_unmap_success_check: posted });
      const P = value(k.mmap(me, 0, M2, RW, MAP.MAP_PRIVATE | MAP.MAP_ANONYMOUS | MAP.MAP_HUGETLB, -1, 0));
      value(k.access(me, P, 'write', 1));
      k.madvise(me, P + 0x2000, 4096, MADV.MADV_HWPOISON);
      t.same(k.takeFindings().map((f) => [f.id, f.raw, f.count]), posted ? [['RFC-F6', 2, 0]] : []);
    }
  });
  kt(t, 'the fault path maps around poisoned raw pages and splits uffd-wp markers (RFC 5/7, 7/7)', (t) => {
    const { k, me } = bootRfc();
    const fd = value(k.memfd_create(me, 'x', MFD.MFD_HUGETLB));
    value(k.ftruncate(me, fd, 2 * M2));
    const A = value(k.mmap(me, 0, 2 * M2, RW, MAP.MAP_SHARED, fd, 0));
    const u = value(k.userfaultfd(me));
    value(k.uffdio_api(me, u, ['SIGBUS', 'EXACT_ADDRESS', 'EVENT_FORK']));
    value(k.uffdio_register(me, u, A, 2 * M2, ['MISSING', 'WP']));
    value(k.uffdio_writeprotect(me, u, A, 2 * M2, true));
    const Q = value(k.mmap(me, 0, 2 * M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.memset(me, Q, 2 * M2, 1));
    value(k.madvise(me, Q + 0x80000, 4096, MADV.MADV_HWPOISON));
    t.match(k.dmesg.join('\n'), /mapped by 2 VMAs but 1 unmappings are expected/);
    t.match(k.access(me, A + 0x1000, 'read'), { ok: true, value: 1 });
    t.match(k.mappingAt(me, A + 0x1000), { kind: 'present', size: 4096, uffdWp: true });
    t.match(k.mappingAt(me, A + 0x2000), { kind: 'marker', size: 4096 }, 'the marker was replicated into the new table');
    t.match(k.access(me, A + 0x1000, 'write', 2), { ok: false, signal: { si_code: 'BUS_ADRERR' } });
    t.same(k.access(me, A + 0x80010, 'read'), { ok: false, signal: { signo: 'SIGBUS', si_code: 'BUS_MCEERR_AR', si_addr: A + 0x80010, si_addr_lsb: 12 } });
    t.match(k.access(me, A + M2 + 5, 'read'), { ok: true, value: 1 });
    t.match(k.mappingAt(me, A + M2), { kind: 'present', size: M2 }, 'the healthy hugepage maps whole');
  });
});

t.test('show: vmaViews draws each VMA as a tree of folded runs; folioView reads the folio', async (t) => {
  kt(t, 'an untouched 1 GiB VMA is one PUD none run, whatever its size', (t) => {
    const { k, me } = boot(G1, 2);
    const { P } = sharedFile(k, me, 2 * G1);
    const [v] = k.vmaViews(me);
    t.same(v?.tree, [{ level: 'PUD', start: P, end: P + 2 * G1, size: G1, count: 2, kind: 'none' }]);
  });
  kt(t, '2 MiB hugepages: a PUD table whose PMD runs fold equal neighbours only', (t) => {
    const { k, me } = boot(M2, 4);
    const { P } = sharedFile(k, me, 4 * M2);
    value(k.access(me, P + M2, 'write', 1));
    value(k.access(me, P + 2 * M2, 'read'));
    const tree = k.vmaViews(me)[0]?.tree ?? [];
    t.equal(tree.length, 1);
    t.equal(tree[0]?.kind, 'table');
    const kids = (tree[0]?.children ?? []).map((r) => [r.kind, r.start - P, r.count, r.subpage, r.dirty]);
    // Two different folios never fold, even with equal flags.
    t.same(kids, [['none', 0, 1, undefined, undefined], ['present', M2, 1, 0, true], ['present', 2 * M2, 1, 0, true], ['none', 3 * M2, 1, undefined, undefined]]);
  });
  kt(t, 'a poisoned hugepage shows as one hwpoison entry holding the head pfn; its folio lists the raw page', (t) => {
    const { k, me } = boot(M2, 2);
    const { P } = sharedFile(k, me, M2);
    value(k.access(me, P, 'write', 1));
    const pfn = k.pfnOf(me, P) ?? 0;
    value(k.madvise(me, P + 3 * 4096, 4096, MADV.MADV_HWPOISON));
    const pmd = k.vmaViews(me)[0]?.tree[0]?.children?.[0];
    t.same(pmd && [pmd.level, pmd.kind, pmd.pfn, pmd.count], ['PMD', 'hwpoison', pfn, 1]);
    const f = k.folioView(pfn);
    t.same(f && [f.raw_hwp_list, f.hwpoison, f.inPageCache, f.mapcount, f.rawHwpUnmaps], [[3], true, true, 0, []], 'v6.1 has no RFC counters');
    t.equal(k.folioView(pfn + 1), null, 'only head pfns name folios');
  });
});

t.test('--trace: the kernel records the path of each entry only while tracing', async (t) => {
  kt(t, 'off by default: nothing is recorded', (t) => {
    const { k, me } = boot(M2, 2);
    const { P } = sharedFile(k, me, M2);
    value(k.access(me, P, 'write', 1));
    t.same(k.takeTrace(), []);
  });
  kt(t, 'a fault and an injection nest callees under callers, results appended', (t) => {
    const { k, me } = boot(M2, 2);
    k.startTrace();
    const { P } = sharedFile(k, me, M2);
    value(k.access(me, P, 'write', 1));
    const fault = k.takeTrace();
    t.match(fault[0], /^do_user_addr_fault\(0x[0-9a-f]+, write\) = mapped \(folio 0x[0-9a-f]+ \+0\)$/);
    t.match(fault[1], /^ {2}hugetlb_fault\(0x[0-9a-f]+, write\) = 0$/);
    t.match(fault[2], /^ {4}hugetlb_full_walk: none entry, 2M at /);
    value(k.access(me, P + 1, 'read'));
    t.same(k.takeTrace(), [], 'an access the page tables allow never enters the kernel');
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    const mf = k.takeTrace().map((l) => l.trim().replace(/0x[0-9a-f]+/g, 'X'));
    t.same(mf, [
      'do_madvise(X, X, MADV_HWPOISON) = 0',
      'madvise_inject_error = 0',
      'get_user_pages_fast(X): folio X, refcount 3',
      'memory_failure(pfn=X, MF_COUNT_INCREASED|MF_SW_SIMULATED) = 0',
      'try_memory_failure_hugetlb: folio X (2M), raw page 0 = 0',
      '__get_huge_page_for_hwpoison: in use, reference held (refcount 3)',
      'hugetlb_set_page_hwpoison(raw page 0): raw page recorded; raw_hwp_list [0]',
      'hwpoison_user_mappings = true',
      'collect_procs: to_kill [] (no process maps it with an early-kill thread)',
      'try_to_unmap_one: VMA=[X, X): hwpoison entry at X/2M',
      'is_unmapping_successful = true',
      'folio_mapped: false (mapcount 0, sub-hugepage entries 0)',
      'kill_procs: forcekill=true fail=false, 0 to kill',
      'me_huge_page = Recovered',
      'truncate_error_page: the folio stays in the page cache, poisoned',
      'has_extra_refcount: refcount 2 - 1 (memory_failure) - 1 (page cache) = 0',
      'action_result: huge page: Recovered',
    ]);
    const pfn = k.folioAt(me, P)?.pfn ?? 0;
    t.same(k.corrupt_pfn(me, pfn), { ok: false, errno: 'EHWPOISON' });
    t.same(k.takeTrace().map((l) => l.trim().replace(/0x[0-9a-f]+/g, 'X')), [
      'hwpoison_inject(pfn=X) = -EHWPOISON',
      'memory_failure(pfn=X, MF_SW_SIMULATED) = -EHWPOISON',
      'try_memory_failure_hugetlb: folio X (2M), raw page 0 = -EHWPOISON',
      // 6.1 left the folio HPageMigratable (in_use_hugepage_stays_migratable): a reference is taken, then
      // dropped when the raw page is found listed.
      '__get_huge_page_for_hwpoison: in use, reference held (refcount 3)',
      'hugetlb_set_page_hwpoison(raw page 0): raw page already listed: the folio was already poisoned, -EHWPOISON; raw_hwp_list [0]',
      'already hardware poisoned: -EHWPOISON',
    ]);
  });
  kt(t, 'a second SIGBUS to a thread with one pending is traced as dropped', (t) => {
    const { k, me } = boot(M2, 2);
    const { fd, P } = sharedFile(k, me, M2);
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    value(k.access(me, P, 'write', 1));
    value(k.access(me, S, 'read'));
    value(k.prctl_mce_kill(me, 'early'));
    k.startTrace();
    value(k.madvise(me, P, 4096, MADV.MADV_HWPOISON));
    const sends = k.takeTrace().filter((l) => l.includes('send_sig_mceerr'));
    t.equal(sends.length, 2);
    t.match(sends[0], /BUS_MCEERR_AO .* delivered$/);
    t.match(sends[1], /BUS_MCEERR_AO .* dropped \(legacy_queue: a SIGBUS is already pending\)$/);
  });
});

t.test('the MFR policy: MFD_MF_KEEP_UE_MAPPED (MFR v3; profile mfr)', async (t) => {
  const bootMfr = (size = M2, nr = 8, overrides: Partial<Record<SwitchName, boolean>> = {}, base: 'mfr' | 'v6.12' = 'mfr'): { k: Kernel; me: TaskRef } => {
    const profile = withSwitches(PROFILES[base], new Map(Object.entries(overrides) as [SwitchName, boolean][]));
    const k = new Kernel({ profile, default_hugepagesz: size, nr_hugepages: new Map([[size, nr]]), comm: 'hugetlb-mfr' });
    booted.push(k);
    return { k, me: k.init };
  };
  const KEEP = MFD.MFD_HUGETLB | MFD.MFD_MF_KEEP_UE_MAPPED;
  /** A kept memfd of `len` bytes, mapped shared and filled with 0xab, as hugetlb-mfr sets it up. */
  const keptFile = (k: Kernel, me: TaskRef, len: number, flags = KEEP): { fd: number; P: number } => {
    const fd = value(k.memfd_create(me, 'hugetlb_tmp', flags));
    value(k.ftruncate(me, fd, len));
    const P = value(k.mmap(me, 0, len, RW, MAP.MAP_SHARED, fd, 0));
    value(k.memset(me, P, len, 0xab));
    return { fd, P };
  };
  const sigbus = (k: Kernel) => k.takeSignals().map((s) => [s.info.si_code, s.info.si_addr, s.info.si_addr_lsb]);
  kt(t, 'the flag: EINVAL where the series is not, and without MFD_HUGETLB', (t) => {
    const { k, me } = bootMfr(M2, 8, {}, 'v6.12');
    t.same(k.memfd_create(me, 'x', KEEP), { ok: false, errno: 'EINVAL' }, 'v6.12: not in MFD_ALL_FLAGS');
    const m = bootMfr();
    t.same(m.k.memfd_create(m.me, 'x', MFD.MFD_MF_KEEP_UE_MAPPED), { ok: false, errno: 'EINVAL' }, 'sanitize_flags(): a shmem memfd refuses it');
    t.ok(value(m.k.memfd_create(m.me, 'x', KEEP)) > 0);
  });
  kt(t, 'each new raw page: Recovered, AR at the raw page with lsb 12, the hugepage stays mapped and readable', (t) => {
    const { k, me } = bootMfr();
    const { P } = keptFile(k, me, 4 * M2);
    const th = k.clone_thread(me);
    for (const off of [0x20000, 0x41000, 0x7f000]) {
      t.same(k.madvise(th, P + off, 4096, MADV.MADV_HWPOISON), { ok: true, value: 0 });
      t.same(sigbus(k), [['BUS_MCEERR_AR', P + off, 12]]);
      t.match(k.dmesg.at(-1), /recovery action for huge page: Recovered$/);
    }
    t.match(k.mappingAt(me, P), { kind: 'present', size: M2 });
    t.same(k.access(me, P + 0x41000, 'read'), { ok: true, value: 0xab }, 'software poison corrupts no byte');
    t.match(k.folioAt(me, P), { raw_hwp_list: [0x20, 0x41, 0x7f], refcount: 2 + 3 }, 'page cache + mapping + one reference per raw page');
    t.equal(k.meminfo().HardwareCorrupted, 12);
    t.same(k.madvise(th, P + 0x41000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EHWPOISON' }, 'the same raw page again');
    t.same(sigbus(k), [['BUS_MCEERR_AR', P + 0x41000, 12]], 'kill_accessing_process(): PAGE_SHIFT in v3');
    t.equal(k.pool(M2).total, 8);
  });
  kt(t, 'truncate drops the references and dissolves the folio: Total -1, HardwareCorrupted kept', (t) => {
    const { k, me } = bootMfr();
    const { fd, P } = keptFile(k, me, 4 * M2);
    value(k.madvise(me, P + 0x20000, 4096, MADV.MADV_HWPOISON));
    value(k.madvise(me, P + 0x41000, 4096, MADV.MADV_HWPOISON));
    value(k.munmap(me, P, 4 * M2));
    t.equal(k.pool(M2).total, 8, 'munmap drops nothing');
    value(k.ftruncate(me, fd, 0));
    t.match(k.pool(M2), { total: 7, free: 7 });
    t.equal(k.meminfo().HardwareCorrupted, 8);
    value(k.close(me, fd));
    t.equal(k.pool(M2).total, 7);
  });
  kt(t, 'a never-faulted mapping maps the poisoned folio whole', (t) => {
    const { k, me } = bootMfr();
    const { fd, P } = keptFile(k, me, M2);
    value(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON));
    k.takeSignals();
    const S = value(k.mmap(me, 0, M2, RW, MAP.MAP_SHARED, fd, 0));
    t.same(k.access(me, S + 0x3000, 'read'), { ok: true, value: 0xab });
    t.match(k.mappingAt(me, S), { kind: 'present', size: M2 });
  });
  kt(t, 'other memfds behave as v6.12: unmapped, lsb 21, no pool loss at truncate', (t) => {
    const { k, me } = bootMfr();
    const { fd, P } = keptFile(k, me, M2, MFD.MFD_HUGETLB);
    value(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON));
    t.same(sigbus(k), [['BUS_MCEERR_AR', P + 0x3000, 21]]);
    t.match(k.mappingAt(me, P), { kind: 'hwpoison' });
    value(k.ftruncate(me, fd, 0));
    t.equal(k.pool(M2).total, 8, 'the poisoned folio keeps memory_failure\'s reference, out of the pool');
  });
  kt(t, 'v1/v2 (mfr_v2_every_hugetlb_memfd): every hugetlb memfd keeps UEs mapped; kill_accessing_process keeps lsb 21', (t) => {
    const { k, me } = bootMfr(M2, 8, { mfr_v2_every_hugetlb_memfd: true });
    const { P } = keptFile(k, me, M2, MFD.MFD_HUGETLB);
    value(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON));
    t.same(sigbus(k), [['BUS_MCEERR_AR', P + 0x3000, 12]], '__add_to_kill(): PAGE_SHIFT in every version');
    t.same(k.madvise(me, P + 0x3000, 4096, MADV.MADV_HWPOISON), { ok: false, errno: 'EHWPOISON' });
    t.same(sigbus(k), [['BUS_MCEERR_AR', P + 0x3000, 21]]);
  });
  kt(t, 'a pfn injector: the second raw page takes the busy path; its put at release finds the folio free', (t) => {
    const { k, me } = bootMfr();
    const { fd, P } = keptFile(k, me, M2);
    const pfn = k.pfnOf(me, P)!;
    value(k.corrupt_pfn(me, pfn + 1));
    t.same(k.corrupt_pfn(me, pfn + 2), { ok: false, errno: 'EBUSY' });
    t.match(k.dmesg.at(-1), /get hwpoison page: Ignored$/);
    t.match(k.folioAt(me, P), { raw_hwp_list: [1, 2] });
    value(k.munmap(me, P, M2));
    value(k.ftruncate(me, fd, 0));
    t.match(k.pool(M2), { total: 7, free: 7 }, 'dissolved; the extra put is traced, not applied');
  });
});
