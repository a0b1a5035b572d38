// The kernel model, file by file (STYLE.md §15): each subtest names the behaviour it checks and the
// source it follows. Outcomes are kernel-semantics.md §10 (observed on 6.1.192) first, then §1–§4.
import t, { type Test } from 'tap';
import { Kernel, MADV, MAP, MFD, PROFILES, PROT, type AccessResult, type SysRet, type TaskRef } from '../src/kernel/index.js';
import { ByteMap } from '../src/kernel/contents.js';

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
  if (!r.ok) throw new Error(`unexpected ${'errno' in r ? r.errno : r.signal.si_code}`);
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
