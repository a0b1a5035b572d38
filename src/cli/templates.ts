// The scenario templates `hgmsim new` writes (DESIGN.md "Command line"). Each is a complete, commented
// scenario that validates and runs green, unchanged, under every profile its verdicts name
// (test/cli.test.ts runs them). `new` puts the schema comment line first and the file's name in
// `scenario:`. Comments here are prose: none looks like a step (`# - madvise: …`), so no editor or
// reader takes a comment for a commented-out step.

export const TEMPLATE_NAMES = ['basic', 'hgm', 'uffd-wp', 'read'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Where `new` puts the scenario name (a plain YAML scalar in every template). */
export const NAME_PLACEHOLDER = '__NAME__';

const BASIC = `#
# Poison one raw page of a mapped, shared hugetlb page with MADV_HWPOISON, then touch it from a
# fresh thread, as the selftests' test_sigbus() does. On 6.1 the whole hugepage is unmapped, so a
# healthy raw page of the same hugepage raises the same action-required SIGBUS.
#
# Run it:       hgmsim run <this file> --profile all -v
# Steps, fields and examples: docs/scenarios.md; error codes: docs/errors.md.
scenario: ${NAME_PLACEHOLDER}
mirrors: the shared-mapping hwpoison flow of tools/testing/selftests/mm/hugetlb-hgm.c, on 6.1
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 8}
# Names for the rest of the file: H is the run's hugepage size, L two hugepages.
let: {H: hugepagesz, L: 2 * H}
tests:
  - name: poison a mapped shared hugepage and touch it
    steps:
      - memfd_create: {as: fd, name: hugetlb_tmp, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, length: L, flags: [MAP_SHARED], fd: fd}
      - print: "mapping: {P}"
      # Fault both hugepages in.
      - memset: {addr: P, length: L, value: 1}
      # 6.1 injects without MF_ACTION_REQUIRED and without early kill: nothing is signalled yet.
      - madvise: {addr: P + 0x3000, length: PAGE_SIZE, advice: MADV_HWPOISON, expect: {ret: 0, sigbus: none}}
      - expect:
          raw_hwp_list: {of: P, is: [3]}
          mapping: {at: P, size: H, kind: hwpoison}
          HardwareCorrupted: +4 kB
      # The probe: the poisoned raw page, then a healthy one of the same hugepage.
      - access: {addr: P + 0x3000, op: read, in_thread: new,
                 expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 0x3000, si_addr_lsb: log2(H)}}
      - access: {addr: P + 0x4000, op: write, value: 2, in_thread: new,
                 expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 0x4000, si_addr_lsb: log2(H)}}
      # The next hugepage is untouched by the poison.
      - access: {addr: P + H, op: read, expect: {value: 1}}
      - dump: {mapping: P}
`;

const READ = `#
# read(2) and pread(2) of a hugetlbfs file around a poisoned raw page, as
# tools/testing/selftests/mm/hugetlb-read-hwpoison.c does. On 6.1 any read that reaches a poisoned
# hugepage fails with EIO, even one that starts in a healthy hugepage before it; a read that stays
# in a healthy hugepage succeeds.
#
# Run it:       hgmsim run <this file> --profile all -v
# Steps, fields and examples: docs/scenarios.md; error codes: docs/errors.md.
scenario: ${NAME_PLACEHOLDER}
mirrors: tools/testing/selftests/mm/hugetlb-read-hwpoison.c, as 6.1 answers it
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 8}
let: {H: hugepagesz, L: 2 * H}
tests:
  - name: pread around a poisoned raw page
    steps:
      - memfd_create: {as: fd, name: hugetlb_read_hwpoison, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, length: L, flags: [MAP_SHARED], fd: fd}
      - memset: {addr: P, length: L, value: 0x55}
      # Before the poison the whole file reads, at most MAX_RW_COUNT (0x7ffff000) bytes in one call.
      - pread: {fd: fd, length: L, offset: 0, expect: {ret: "min(L, 0x7ffff000)"}}
      # Poison raw page 5 of the second hugepage.
      - madvise: {addr: P + H + 0x5000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      # The poisoned raw page, the bytes before it in the same hugepage, a read that crosses into it.
      - pread: {fd: fd, length: PAGE_SIZE, offset: H + 0x5000, expect: {errno: EIO}}
      - pread: {fd: fd, length: 16, offset: H, expect: {errno: EIO}}
      - pread: {fd: fd, length: L, offset: 0, expect: {errno: EIO}}
      # The healthy first hugepage reads normally.
      - pread: {fd: fd, length: H, offset: 0, expect: {ret: H}}
      - expect: {raw_hwp_list: {of: P + H, is: [5]}, HardwareCorrupted: +4 kB}
`;

const UFFD_WP = `#
# userfaultfd write protection on hugetlb as 6.1 offers it: UFFDIO_WRITEPROTECT over a range that
# was never faulted installs uffd-wp markers; a write through a marker raises BUS_ADRERR when the
# uffd asked for UFFD_FEATURE_SIGBUS (without it the writer would wait for a monitor). A read
# faults the page in normally; clearing the protection lets the write through.
#
# Run it:       hgmsim run <this file> --profile all -v
# Steps, fields and examples: docs/scenarios.md; error codes: docs/errors.md.
scenario: ${NAME_PLACEHOLDER}
mirrors: the uffd-wp steps of tools/testing/selftests/mm/hugetlb-hgm.c, on a kernel without HGM
kernel: {profile: v6.1, hugepagesz: [2M, 1G], nr_hugepages: 8}
let: {H: hugepagesz, L: 2 * H}
tests:
  - name: a write through a uffd-wp marker is BUS_ADRERR
    steps:
      - memfd_create: {as: fd, name: hugetlb_tmp, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      - mmap: {as: P, length: L, flags: [MAP_SHARED], fd: fd}
      - userfaultfd: {as: uffd, features: [SIGBUS, EXACT_ADDRESS]}
      - uffdio_register: {uffd: uffd, addr: P, length: L, mode: [WP]}
      - uffdio_writeprotect: {uffd: uffd, addr: P, length: L, wp: true}
      # Nothing is mapped yet: every entry is a marker carrying the wp bit.
      - expect: {mapping: {at: P + H, kind: marker, uffd_wp: true}, pagemap: {at: P, present: false, uffd_wp: true}}
      - access: {addr: P + 1, op: write, value: 7, in_thread: new, expect: {sigbus: BUS_ADRERR, si_addr: P + 1}}
      # A read is allowed.
      - access: {addr: P + 1, op: read, expect: {value: 0}}
      # Unprotect: the write goes through.
      - uffdio_writeprotect: {uffd: uffd, addr: P, length: L, wp: false}
      - access: {addr: P + 1, op: write, value: 7, expect: {value: 7}}
      - dump: {mapping: P}
`;

const HGM = `#
# HugeTLB high-granularity mapping with the RFC's memory-failure recovery: split a shared mapping
# (MADV_SPLIT), map it with UFFDIO_CONTINUE, poison one raw page, and check that only that 4 KiB
# page is gone while its neighbours stay mapped. HGM v2 alone unmaps the whole hugepage; a kernel
# without HGM refuses MADV_SPLIT with EINVAL, and on_error: skip ends the test there.
#
# Run it:       hgmsim run <this file> --profile all -v
# Steps, fields and examples: docs/scenarios.md; error codes: docs/errors.md.
scenario: ${NAME_PLACEHOLDER}
mirrors: the hwpoison test of tools/testing/selftests/mm/hugetlb-hgm.c (RFC 6/7), shortened
kernel: {profile: hgm-rfc, hugepagesz: [2M, 1G], nr_hugepages: 8}
let: {H: hugepagesz, L: 2 * H}
# The expected result of each test under each profile (hgmsim run <this file> --profile all).
verdicts:
  hgm-rfc: {default: pass}
  hgm-v2: {default: {result: fail, why: "HGM v2 unmaps every entry of the poisoned hugepage"}}
  v6.1: {default: {result: skip, why: "MADV_SPLIT is EINVAL without HGM"}}
tests:
  - name: poison one raw page of a split hugepage
    steps:
      - memfd_create: {as: fd, name: hugetlb_tmp, flags: [MFD_HUGETLB]}
      - ftruncate: {fd: fd, length: L}
      # P is the split mapping, S a plain one that fills the page cache.
      - mmap: {as: P, length: L, flags: [MAP_SHARED], fd: fd}
      - mmap: {as: S, length: L, flags: [MAP_SHARED], fd: fd}
      - memset: {addr: S, length: L, value: 1}
      - userfaultfd: {as: uffd, features: [SIGBUS, EXACT_ADDRESS]}
      - madvise: {addr: P, length: L, advice: MADV_SPLIT, on_error: skip}
      - uffdio_register: {uffd: uffd, addr: P, length: L, mode: [MINOR]}
      # Map the first hugepage whole, and the first half of the second one in smaller pieces.
      - uffdio_continue: {uffd: uffd, addr: P, length: H}
      - uffdio_continue: {uffd: uffd, addr: P + H, length: H / 2}
      - madvise: {addr: P + 0x3000, length: PAGE_SIZE, advice: MADV_HWPOISON}
      - expect:
          raw_hwp_list: {of: P, is: [3]}
          HardwareCorrupted: +4 kB
      # The RFC unmaps only the poisoned raw page: touching it is an action-required SIGBUS ...
      - access: {addr: P + 0x3000, op: read, in_thread: new,
                 expect: {sigbus: BUS_MCEERR_AR, si_addr: P + 0x3000, si_addr_lsb: log2(H)}}
      - expect: {mapping: {at: P + 0x3000, size: 4K, kind: hwpoison}}
      # ... and the healthy raw pages around it still read.
      - access: {addr: P + 0x4000, op: read, expect: {value: 1}}
      - access: {addr: P + 0x2fff, op: read, expect: {value: 1}}
      - expect: {mapping: {at: P + 0x4000, size: 4K, kind: present}}
      - dump: {mapping: P, length: H}
`;

/** Each template's text, without the schema comment line `new` puts first. */
export const TEMPLATES: { readonly [T in TemplateName]: string } = {
  basic: BASIC,
  hgm: HGM,
  'uffd-wp': UFFD_WP,
  read: READ,
};
