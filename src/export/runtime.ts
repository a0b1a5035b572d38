// The C runtime every exported program starts with: what a selftest needs around its steps, written
// once. A SIGBUS handler that records each siginfo (the selftests' handler) and leaves a touch it
// interrupted; actors (forked processes and named threads that run steps on request, as the model's
// `in:` does); the test's named mappings, to print addresses as `P+0x3000` like the model's summary;
// the kernel's views a process can read (/proc/PID/smaps, pagemap, /proc/meminfo, the hugetlb sysfs
// pool, /dev/kmsg); and the per-test TAP lines in the shape of src/report/observations.ts, in the
// kernel's view: page-table entries are present or not-present (pagemap cannot tell a hwpoison entry
// from an empty one on hugetlb), and what no process can see (raw_hwp_list, refcounts) is not printed.
//
// Kept in a String.raw literal so the C reads as C; it must contain no backtick and no dollar-brace.

export const RUNTIME_C = String.raw`#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <regex.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef uint64_t u64;
typedef int64_t s64;

/* The runtime carries every helper; a given program uses some of them. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* Constants the build host's headers may predate (values from include/uapi of the kernels named). */
#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define HG_MADV_SPLIT 26 /* HGM's MADV_SPLIT: not in mainline, where madvise rejects it */
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
/* The MFR policy series (unmerged); a kernel without it refuses the flag with EINVAL. */
#ifndef MFD_MF_KEEP_UE_MAPPED
#define MFD_MF_KEEP_UE_MAPPED 0x0020U
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#define HG_MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#define HG_MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#define HG_MFD_HUGE_2MB (21U << MAP_HUGE_SHIFT)
#define HG_MFD_HUGE_1GB (30U << MAP_HUGE_SHIFT)
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
#ifndef PR_MCE_KILL
#define PR_MCE_KILL 33
#define PR_MCE_KILL_GET 34
#endif
#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#define BUS_MCEERR_AO 5
#endif
/* userfaultfd: features and ioctls newer than some hosts' headers (v6.4 .. v6.8). */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
#endif
#ifndef UFFDIO_REGISTER_MODE_MINOR
#define UFFDIO_REGISTER_MODE_MINOR ((__u64)1 << 2)
#endif
struct hg_uffdio_continue { struct uffdio_range range; u64 mode; s64 mapped; };
struct hg_uffdio_poison { struct uffdio_range range; u64 mode; s64 updated; };
#define HG_UFFDIO_CONTINUE _IOWR(UFFDIO, 0x07, struct hg_uffdio_continue)
#define HG_UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct hg_uffdio_poison)
#define HG_UFFDIO_WRITEPROTECT _IOWR(UFFDIO, 0x06, struct uffdio_writeprotect)

#define HG_PAGE ((u64)4096)
#define HG_MAX_MAPS 64
#define HG_MAX_PIECES 8
#define HG_MAX_SIGS 8192
#define HG_MAX_ACTORS 16
#define HG_DMESG_BYTES (512 * 1024)
/* How long a step may take in another thread or process before it counts as blocked (TCG is slow). */
#define HG_BLOCK_MS 3000
/* How long one test may run before the program gives up on it. */
#define HG_TEST_SECONDS 600

enum { HG_GO = 0, HG_STOP = 1, HG_BREAK = 2 };
/* A step in a test function: a stop ends the test; in a loop, a break (on_error: break) ends the loop. */
#define HG_STEP(x) do { if ((x) == HG_STOP) return; } while (0)
#define HG_LOOP_STEP(x) { int hg_fl = (x); if (hg_fl == HG_STOP) return; if (hg_fl == HG_BREAK) break; }
enum { HG_PASS = 0, HG_FAIL = 1, HG_SKIP = 2 };

/*@VARS@*/
struct hg_piece { u64 start, end; };
struct hg_map {
	char name[32];
	u64 start, len;
	int pid;
	int npieces;
	struct hg_piece live[HG_MAX_PIECES];
};
struct hg_sig { int pid, tid, signo, code, lsb; u64 addr; };
struct hg_actor {
	char name[32];
	int pid, tid, process; /* process: 1 for a forked process's main thread, 0 for a thread */
	volatile int cmd, done;
	void (*volatile fn)(void);
};

/* Shared by every process of the test (MAP_SHARED): names, mappings, signals, actors, the verdict. */
struct hg_shared {
	int nmaps;
	struct hg_map maps[HG_MAX_MAPS];
	volatile int nsigs;
	struct hg_sig sigs[HG_MAX_SIGS];
	int nactors;
	struct hg_actor actors[HG_MAX_ACTORS];
	int main_pid, acting_pid;
	int status;   /* HG_PASS, HG_FAIL, HG_SKIP */
	int flow;     /* the last step's HG_GO, HG_STOP or HG_BREAK */
	char reason[512];
	u64 hwc_start; /* HardwareCorrupted when the test began, kB */
	int injected;  /* an injection step ran: the summary line is printed even when it says +0 kB */
	int kmsg_fd;
	int dmesg_len;
	char dmesg[HG_DMESG_BYTES];
	struct hg_vars v;
};
static struct hg_shared *hg;
#define V (hg->v)

static __thread sigjmp_buf *hg_jmp;  /* armed while a touch may fault */
static __thread int hg_probing;      /* a check reading memory: its faults are not the test's */
static u64 hg_hugepagesz;

/* ---- output: whole lines, straight to fd 1, so every process of the test writes in step order ---- */
static void hg_out(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t w = write(1, buf + off, n - off);
		if (w <= 0)
			return;
		off += w;
	}
}

static int hg_gettid(void) { return (int)syscall(SYS_gettid); }

/* ---- SIGBUS: the selftests' recording handler ---- */
static void hg_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!hg_probing && hg) {
		int i = __atomic_fetch_add(&hg->nsigs, 1, __ATOMIC_SEQ_CST);
		if (i < HG_MAX_SIGS) {
			struct hg_sig *s = &hg->sigs[i];
			s->pid = getpid();
			s->tid = hg_gettid();
			s->signo = sig;
			s->code = si->si_code;
			s->addr = (u64)(uintptr_t)si->si_addr;
			s->lsb = (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO) ? si->si_addr_lsb : 0;
		}
	}
	if (hg_jmp)
		siglongjmp(*hg_jmp, 1);
}

static void hg_sigbus_action(const char *how)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (!strcmp(how, "default"))
		sa.sa_handler = SIG_DFL;
	else if (!strcmp(how, "ignore"))
		sa.sa_handler = SIG_IGN;
	else {
		sa.sa_sigaction = hg_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	}
	sigaction(SIGBUS, &sa, NULL);
}

static const char *hg_code_name(int code)
{
	switch (code) {
	case BUS_ADRALN: return "BUS_ADRALN";
	case BUS_ADRERR: return "BUS_ADRERR";
	case BUS_OBJERR: return "BUS_OBJERR";
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	}
	return "BUS_?";
}

/* ---- named mappings: addresses as the model's summary prints them ---- */
static void hg_add_map(const char *name, u64 start, u64 len)
{
	struct hg_map *m;

	if (hg->nmaps >= HG_MAX_MAPS)
		return;
	m = &hg->maps[hg->nmaps++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->start = start;
	m->len = len;
	m->pid = getpid();
	m->npieces = 1;
	m->live[0].start = start;
	m->live[0].end = start + len;
}

/* munmap in this process: the named mappings it owns lose the range (report/observations "mapped"). */
static void hg_unmap_range(u64 start, u64 len)
{
	u64 end = start + len;

	for (int i = 0; i < hg->nmaps; i++) {
		struct hg_map *m = &hg->maps[i];
		struct hg_piece keep[HG_MAX_PIECES];
		int n = 0;

		if (m->pid != getpid())
			continue;
		for (int j = 0; j < m->npieces; j++) {
			struct hg_piece p = m->live[j];
			if (p.end <= start || p.start >= end) {
				if (n < HG_MAX_PIECES) keep[n++] = p;
				continue;
			}
			if (p.start < start && n < HG_MAX_PIECES) keep[n++] = (struct hg_piece){ p.start, start };
			if (p.end > end && n < HG_MAX_PIECES) keep[n++] = (struct hg_piece){ end, p.end };
		}
		memcpy(m->live, keep, sizeof(keep[0]) * n);
		m->npieces = n;
	}
}

/* The named mapping an address falls in: the acting process's own first, then the latest (runner mappingOf). */
static struct hg_map *hg_map_of(u64 addr)
{
	struct hg_map *best = NULL;
	int best_own = 0;

	for (int i = 0; i < hg->nmaps; i++) {
		struct hg_map *m = &hg->maps[i];
		int own;

		if (addr < m->start || addr >= m->start + m->len)
			continue;
		own = m->pid == hg->acting_pid;
		if (!best || (own && !best_own) || (own == best_own && m->start >= best->start)) {
			best = m;
			best_own = own;
		}
	}
	return best;
}

/* P+0x3000, or 0x7f... outside every named mapping. Returns a buffer of a small ring. */
static const char *hg_addr(u64 addr)
{
	static __thread char ring[8][64];
	static __thread int next;
	char *buf = ring[next++ & 7];
	struct hg_map *m = hg_map_of(addr);

	if (m)
		snprintf(buf, 64, "%s+0x%" PRIx64, m->name, addr - m->start);
	else
		snprintf(buf, 64, "0x%" PRIx64, addr);
	return buf;
}

/* ---- what a process can read about the kernel ---- */
static int hg_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;

	if (fd < 0)
		return -1;
	while (n < size - 1) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	buf[n] = 0;
	close(fd);
	return (int)n;
}

static int hg_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, text, strlen(text));
	if (r < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return (int)r;
}

/* A /proc/meminfo value (kB for the kB lines), or -1. */
static s64 hg_meminfo(const char *field)
{
	static char buf[8192];
	size_t len = strlen(field);

	if (hg_read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, field, len) && line[len] == ':')
			return strtoll(line + len + 1, NULL, 10);
	}
	return -1;
}

/* The hugetlb pool of the program's size: nr_hugepages, free_hugepages, resv_hugepages, surplus_hugepages. */
static s64 hg_pool(const char *file)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s", hg_hugepagesz / 1024, file);
	if (hg_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/*
 * The pagemap entry of the 4 KiB page at addr in process pid (fs/proc/task_mmu.c bits). The file stays
 * open for the next look-up of the same process: a bytes check asks once per 4 KiB page.
 */
static u64 hg_pagemap(int pid, u64 addr)
{
	static __thread int fd = -1, fd_pid;
	u64 e = 0;

	if (fd < 0 || fd_pid != pid) {
		char path[64];

		if (fd >= 0)
			close(fd);
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
		fd = open(path, O_RDONLY);
		fd_pid = pid;
		if (fd < 0)
			return 0;
	}
	if (pread(fd, &e, sizeof(e), (off_t)(addr / HG_PAGE) * 8) != sizeof(e))
		e = 0;
	return e;
}
#define HG_PM_PRESENT ((u64)1 << 63)
#define HG_PM_SWAP ((u64)1 << 62)
#define HG_PM_FILE ((u64)1 << 61)
#define HG_PM_UFFD_WP ((u64)1 << 57)
#define HG_PM_EXCLUSIVE ((u64)1 << 56)
#define HG_PM_PFN (((u64)1 << 55) - 1)

/* The raw pfn mapped at addr in this process (the scenario's pfn()), or (u64)-1. */
static u64 hg_pfn(u64 addr)
{
	u64 e = hg_pagemap(getpid(), addr);

	return (e & HG_PM_PRESENT) ? (e & HG_PM_PFN) : (u64)-1;
}
static u64 hg_phys(u64 addr) { return hg_pfn(addr) * HG_PAGE + addr % HG_PAGE; }

/*
 * A field of the smaps block of the VMA holding addr in process pid, in kB: -1 no VMA, -2 no such
 * field. The header gives the VMA's range; KernelPageSize gives its page-table entry size.
 */
static s64 hg_smaps(int pid, u64 addr, const char *field)
{
	static char buf[1 << 20];
	char path[64];
	int in = 0;
	size_t len = strlen(field);

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	if (hg_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		unsigned long long s, e;
		char c = *line;
		int header = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');

		if (header && sscanf(line, "%llx-%llx", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				return -2;
			in = addr >= s && addr < e;
			continue;
		}
		if (in && !strncmp(line, field, len) && line[len] == ':')
			return strtoll(line + len + 1, NULL, 10);
	}
	return in ? -2 : -1;
}

/* ---- the kernel log since the test began (/dev/kmsg records, continuation lines dropped) ---- */
static void hg_kmsg_open(void)
{
	hg->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (hg->kmsg_fd >= 0)
		lseek(hg->kmsg_fd, 0, SEEK_END);
}

static void hg_kmsg_drain(void)
{
	char rec[8192];

	if (hg->kmsg_fd < 0)
		return;
	for (;;) {
		ssize_t n = read(hg->kmsg_fd, rec, sizeof(rec) - 1);
		char *text, *nl;
		size_t len;

		if (n < 0 && errno == EPIPE)
			continue; /* records were overwritten: go on with the next */
		if (n <= 0)
			return;
		rec[n] = 0;
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = 0;
		len = strlen(text);
		if (hg->dmesg_len + len + 2 >= HG_DMESG_BYTES)
			return;
		memcpy(hg->dmesg + hg->dmesg_len, text, len);
		hg->dmesg_len += len;
		hg->dmesg[hg->dmesg_len++] = '\n';
		hg->dmesg[hg->dmesg_len] = 0;
	}
}

/* Lines of the log since the test began that contain text (or match the ERE pattern). */
static int hg_dmesg_count(const char *text, const char *pattern)
{
	regex_t re;
	int n = 0;
	char *line, *save = NULL, *copy;

	hg_kmsg_drain();
	if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return -1;
	copy = strdup(hg->dmesg);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (pattern ? !regexec(&re, line, 0, NULL, 0) : strstr(line, text) != NULL)
			n++;
	}
	free(copy);
	if (pattern)
		regfree(&re);
	return n;
}

/* ---- touching memory: one byte, or a range page by page; a SIGBUS ends the touch ---- */
static int hg_touch(u64 addr, int write, int value, int *out)
{
	sigjmp_buf jb;
	volatile unsigned char *p = (volatile unsigned char *)(uintptr_t)addr;
	volatile int w = write, v = value;
	int *volatile o = out;

	if (sigsetjmp(jb, 1)) {
		hg_jmp = NULL;
		return -1;
	}
	hg_jmp = &jb;
	if (!w) {
		*o = *p;
	} else if (v < 0) {
		unsigned char b = *p;
		*p = b;
		*o = b;
	} else {
		*p = (unsigned char)v;
		*o = v;
	}
	hg_jmp = NULL;
	return 0;
}

static int hg_memset(u64 addr, int value, u64 len)
{
	sigjmp_buf jb;
	volatile u64 at = addr, end = addr + len;
	volatile int v = value;

	if (sigsetjmp(jb, 1)) {
		hg_jmp = NULL;
		return -1;
	}
	hg_jmp = &jb;
	while (at < end) {
		u64 next = (at / HG_PAGE + 1) * HG_PAGE;
		if (next > end)
			next = end;
		memset((void *)(uintptr_t)at, v, next - at);
		at = next;
	}
	hg_jmp = NULL;
	return 0;
}

/* ---- a step's outcome, and the checks the model makes after every call (runner/run.ts runCall) ---- */
enum { HG_RET_NONE, HG_RET_OK, HG_RET_ERR, HG_ACCESS_OK, HG_ACCESS_SIG, HG_BLOCKED };
struct hg_call {
	const char *name;  /* the call as a failure names it: mmap, MADV_HWPOISON, UFFDIO_REGISTER … */
	int line;
	int kind;
	s64 ret;
	int err;
	int value;         /* access: the byte */
	int tid;           /* the thread that acted */
	int sig_from;      /* signals before the call */
	int addr_ret;      /* mmap: ret prints in hex */
	const unsigned char *buf; /* read/pread: what came back */
	u64 ioctls; int has_ioctls;
	s64 updated; int has_updated;
	int event; u64 event_addr; /* uffd_read */
	const char *fail;  /* check_range: its failure line, judged first by hg_end */
};

static struct hg_call hg_begin(const char *name, int line)
{
	struct hg_call c;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.line = line;
	c.tid = hg_gettid();
	c.sig_from = hg->nsigs;
	hg->acting_pid = getpid();
	hg->flow = HG_GO;
	return c;
}

static void hg_syscall(struct hg_call *c, s64 r)
{
	if (r == -1) {
		c->kind = HG_RET_ERR;
		c->err = errno;
	} else {
		c->kind = HG_RET_OK;
		c->ret = r;
	}
}

/* The first SIGBUS the acting thread got during the call, or NULL. */
static struct hg_sig *hg_step_signal(const struct hg_call *c)
{
	int n = hg->nsigs < HG_MAX_SIGS ? hg->nsigs : HG_MAX_SIGS;

	for (int i = c->sig_from; i < n; i++)
		if (hg->sigs[i].tid == c->tid && hg->sigs[i].signo == SIGBUS)
			return &hg->sigs[i];
	return NULL;
}

static const char *hg_errno_name(int e);

static void hg_stop(int status, const char *fmt, ...)
{
	va_list ap;

	hg->status = status;
	hg->flow = HG_STOP;
	va_start(ap, fmt);
	vsnprintf(hg->reason, sizeof(hg->reason), fmt, ap);
	va_end(ap);
}

/* A failed assertion of an expect step: " !!! line L: what: expected X, got Y" (report mismatchText). */
static int hg_mismatches;
static void hg_mismatch(int line, const char *what, const char *want, const char *have)
{
	hg_out("#  !!! line %d: %s: expected %s, got %s", line, what, want, have);
	if (!hg_mismatches++)
		hg_stop(HG_FAIL, "line %d: %s: expected %s, got %s", line, what, want, have);
}

/* A check the kernel gives no process a way to make: said, and left out of the comparison. */
static void hg_not_observable(int line, const char *what)
{
	hg_out("# not observable on a kernel: line %d: %s", line, what);
}

/* What the step's own expect: names; each field with its text, compared as the model compares them. */
struct hg_fields { char want[1024], have[1024]; int n; };
static void hg_field(struct hg_fields *f, const char *key, const char *want, const char *have)
{
	size_t w = strlen(f->want), h = strlen(f->have);

	snprintf(f->want + w, sizeof(f->want) - w, "%s%s=%s", f->n ? " " : "", key, want);
	snprintf(f->have + h, sizeof(f->have) - h, "%s%s=%s", f->n ? " " : "", key, have);
	f->n++;
}
static int hg_fields_differ(const struct hg_fields *f)
{
	return strcmp(f->want, f->have) != 0;
}

static const char *hg_num(const struct hg_call *c, s64 v)
{
	static __thread char ring[4][32];
	static __thread int next;
	char *buf = ring[next++ & 3];

	if (c->addr_ret)
		snprintf(buf, 32, "0x%" PRIx64, (u64)v);
	else
		snprintf(buf, 32, "%" PRId64, v);
	return buf;
}

/*
 * After the call, as the model judges it: an errno nobody expected fails the test (or skips it, or
 * ends the loop: on_error); a step expectation that does not hold fails it; a SIGBUS nobody expected
 * in a touch fails it. on_error: 0 none, 1 skip, 2 break. touches: the step touches memory.
 */
static void hg_end(struct hg_call *c, struct hg_fields *f, int expects_errno, int expects_sigbus, int expects_blocked, int on_error, int touches)
{
	struct hg_sig *s = hg_step_signal(c);

	hg->flow = HG_GO;
	if (c->kind == HG_BLOCKED && !expects_blocked) {
		hg_out("#  !!! blocked: %s waits on userfaultfd (line %d)", c->name, c->line);
		hg_stop(HG_FAIL, "blocked: %s waits on userfaultfd", c->name);
		return;
	}
	if (c->kind == HG_RET_ERR && !expects_errno) {
		if (on_error == 2) {
			hg_out("#  ...  !!! %s failed: %s", c->name, strerror(c->err));
			hg->flow = HG_BREAK;
			return;
		}
		if (on_error != 1)
			hg_out("#  !!! %s failed: %s", c->name, strerror(c->err));
		hg_stop(on_error == 1 ? HG_SKIP : HG_FAIL, "%s failed: %s", c->name, strerror(c->err));
		return;
	}
	if (c->fail) {
		hg_out("#  !!! %s", c->fail);
		hg_stop(HG_FAIL, "%s", c->fail);
		return;
	}
	if (f && f->n && hg_fields_differ(f)) {
		hg_out("#  !!! line %d: %s expected %s, got %s", c->line, c->name, f->want, f->have);
		hg_stop(HG_FAIL, "line %d: %s expected %s", c->line, c->name, f->want);
		return;
	}
	if (touches && s && !expects_sigbus) {
		char lsb[32] = "";
		if (s->lsb || s->code == BUS_MCEERR_AR || s->code == BUS_MCEERR_AO)
			snprintf(lsb, sizeof(lsb), " si_addr_lsb=%d", s->lsb);
		hg_out("#  !!! unexpected SIGBUS %s si_addr=%s%s (line %d)", hg_code_name(s->code), hg_addr(s->addr), lsb, c->line);
		hg_stop(HG_FAIL, "unexpected SIGBUS %s si_addr=%s%s", hg_code_name(s->code), hg_addr(s->addr), lsb);
	}
}

/* Step-expect field texts (runner/step-expect.ts): ret, errno, sigbus, si_addr, si_addr_lsb, value. */
static void hg_f_ret(struct hg_fields *f, const struct hg_call *c, s64 want)
{
	const char *have = c->kind == HG_RET_OK ? hg_num(c, c->ret) : c->kind == HG_RET_ERR ? "-1" : NULL;
	char buf[32];

	if (!have) {
		if (c->kind == HG_ACCESS_OK) {
			snprintf(buf, sizeof(buf), "%d", c->value);
			have = buf;
		} else {
			have = "-";
		}
	}
	hg_field(f, "ret", hg_num(c, want), have);
}
static void hg_f_errno(struct hg_fields *f, const struct hg_call *c, const char *want)
{
	hg_field(f, "errno", want, c->kind == HG_RET_ERR ? hg_errno_name(c->err) : "none");
}
static void hg_f_sigbus(struct hg_fields *f, const struct hg_call *c, const char *want)
{
	struct hg_sig *s = hg_step_signal(c);

	hg_field(f, "sigbus", want, s ? hg_code_name(s->code) : "none");
}
static void hg_f_si_addr(struct hg_fields *f, const struct hg_call *c, u64 want)
{
	struct hg_sig *s = hg_step_signal(c);
	char w[64];

	snprintf(w, sizeof(w), "%s", hg_addr(want));
	hg_field(f, "si_addr", w, s ? hg_addr(s->addr) : "-");
}
static void hg_f_si_addr_lsb(struct hg_fields *f, const struct hg_call *c, u64 want)
{
	struct hg_sig *s = hg_step_signal(c);
	char w[32], h[32];

	snprintf(w, sizeof(w), "%" PRIu64, want);
	snprintf(h, sizeof(h), "%d", s ? s->lsb : 0);
	hg_field(f, "si_addr_lsb", w, s ? h : "-");
}
static void hg_f_value(struct hg_fields *f, const struct hg_call *c, u64 want)
{
	char w[32], h[32];

	snprintf(w, sizeof(w), "%" PRIu64, want % 256);
	snprintf(h, sizeof(h), "%d", c->value);
	hg_field(f, "value", w, c->kind == HG_ACCESS_OK ? h : "-");
}
static void hg_f_blocked(struct hg_fields *f, const struct hg_call *c, int want)
{
	hg_field(f, "blocked", want ? "true" : "false", c->kind == HG_BLOCKED ? "true" : "false");
}
/* read/pread: every byte the call returned equals want (runner/step-expect.ts bytes). */
static void hg_f_bytes(struct hg_fields *f, const struct hg_call *c, u64 want, u64 offset)
{
	char w[32], h[96];

	snprintf(w, sizeof(w), "%" PRIu64, want % 256);
	if (c->kind != HG_RET_OK || !c->buf) {
		hg_field(f, "bytes", w, "-");
		return;
	}
	snprintf(h, sizeof(h), "%s", w);
	for (s64 i = 0; i < c->ret; i++) {
		if (c->buf[i] != want % 256) {
			snprintf(h, sizeof(h), "%d at file offset 0x%" PRIx64, c->buf[i], offset + (u64)i);
			break;
		}
	}
	hg_field(f, "bytes", w, h);
}

/* ---- touch steps in a new thread: test_sigbus() (pthread_create, touch, pthread_join) ---- */
struct hg_touch_job { u64 addr; int write, value; int r, out, tid; volatile int finished; };
static void *hg_touch_thread(void *arg)
{
	struct hg_touch_job *j = arg;

	j->tid = hg_gettid();
	j->r = hg_touch(j->addr, j->write, j->value, &j->out);
	j->finished = 1;
	return NULL;
}

static void hg_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void hg_access(struct hg_call *c, u64 addr, int write, int value, int new_thread)
{
	if (!new_thread) {
		c->kind = hg_touch(addr, write, value, &c->value) ? HG_ACCESS_SIG : HG_ACCESS_OK;
		return;
	}
	struct hg_touch_job *j = calloc(1, sizeof(*j));
	pthread_t t;

	j->addr = addr;
	j->write = write;
	j->value = value;
	j->tid = -1;
	pthread_create(&t, NULL, hg_touch_thread, j);
	for (int ms = 0; !j->finished && ms < HG_BLOCK_MS; ms += 5)
		hg_sleep_ms(5);
	while (j->tid < 0)
		hg_sleep_ms(1);
	c->tid = j->tid;
	if (!j->finished) {
		c->kind = HG_BLOCKED; /* waits on userfaultfd: it stays blocked, never joined (runner access) */
		return;
	}
	pthread_join(t, NULL);
	c->kind = j->r ? HG_ACCESS_SIG : HG_ACCESS_OK;
	c->value = j->out;
	free(j);
}

/* ---- check_range: one load per stride, each in a sigsetjmp probe (runner/steps/range.ts) ---- */
#define HG_RANGE_KEPT 4
struct hg_range { char kept[HG_RANGE_KEPT][192]; int nkept; u64 total; };

static void hg_range_depart(struct hg_range *r, const char *fmt, ...)
{
	va_list ap;

	r->total++;
	if (r->nkept == HG_RANGE_KEPT)
		return;
	va_start(ap, fmt);
	vsnprintf(r->kept[r->nkept++], sizeof(r->kept[0]), fmt, ap);
	va_end(ap);
}

static int hg_listed(const u64 *list, int n, u64 at)
{
	for (int i = 0; i < n; i++)
		if (list[i] == at)
			return 1;
	return 0;
}

/* The SIGBUS list ascending, each address once, as the model prints it. */
static int hg_sort_unique(u64 *list, int n)
{
	int m = 0;

	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && list[j - 1] > list[j]; j--) {
			u64 x = list[j];
			list[j] = list[j - 1];
			list[j - 1] = x;
		}
	for (int i = 0; i < n; i++)
		if (!m || list[m - 1] != list[i])
			list[m++] = list[i];
	return m;
}

/* check_range(P+0x0, 0x200000, 1, sigbus=[P+0x0] BUS_MCEERR_AR si_addr_lsb=12) */
static void hg_range_call(char *buf, size_t size, u64 addr, u64 len, u64 stride, int value, const u64 *sigbus, int n, int code, int lsb)
{
	size_t w = (size_t)snprintf(buf, size, "check_range(%s, 0x%" PRIx64 ", %d", hg_addr(addr), len, value);

	if (stride != HG_PAGE && w < size)
		w += (size_t)snprintf(buf + w, size - w, ", step=0x%" PRIx64, stride);
	for (int i = 0; i < n && w < size; i++)
		w += (size_t)snprintf(buf + w, size - w, "%s%s", i ? ", " : ", sigbus=[", hg_addr(sigbus[i]));
	if (n < 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, ", sigbus=every %s", hg_code_name(code));
	if (n > 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, "] %s", hg_code_name(code));
	if (n && lsb >= 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, " si_addr_lsb=%d", lsb);
	if (w < size)
		snprintf(buf + w, size - w, ")");
}

/* One load's outcome: a byte (listed loads must not read) or the SIGBUS its probe recorded. */
static void hg_range_load(struct hg_range *r, u64 at, int value, int listed, int code, int lsb)
{
	int from = hg->nsigs, v = 0;
	struct hg_sig *s;
	char l[32] = "";

	if (!hg_touch(at, 0, -1, &v)) {
		if (listed)
			hg_range_depart(r, "%s no SIGBUS", hg_addr(at));
		else if (v != value)
			hg_range_depart(r, "%s read %d", hg_addr(at), v);
		return;
	}
	if (from >= HG_MAX_SIGS) {
		hg_range_depart(r, "%s SIGBUS (not recorded: too many signals)", hg_addr(at));
		return;
	}
	s = &hg->sigs[from];
	if (listed && s->code == code && s->addr == at && (lsb < 0 || s->lsb == lsb))
		return;
	if (s->lsb || s->code == BUS_MCEERR_AR || s->code == BUS_MCEERR_AO)
		snprintf(l, sizeof(l), " si_addr_lsb=%d", s->lsb);
	hg_range_depart(r, "%s SIGBUS %s si_addr=%s%s", hg_addr(at), hg_code_name(s->code), hg_addr(s->addr), l);
}

/* The loads of [addr, addr+len), stride apart; a departure becomes c->fail, worded as report/observations.ts rangeText. */
static void hg_check_range(struct hg_call *c, u64 addr, u64 len, u64 stride, int value, u64 *sigbus, int n, int code, int lsb)
{
	static char call[1024], list[1024], fail[2400];
	struct hg_range r;
	u64 pages = (len + stride - 1) / stride;
	int keep;
	size_t w;

	memset(&r, 0, sizeof(r));
	if (n >= 0) /* n < 0: sigbus_every, every load raises SIGBUS */
		n = hg_sort_unique(sigbus, n);
	hg_range_call(call, sizeof(call), addr, len, stride, value, sigbus, n, code, lsb);
	for (u64 k = 0; k < pages; k++)
		hg_range_load(&r, addr + k * stride, value, n < 0 || hg_listed(sigbus, n, addr + k * stride), code, lsb);
	if (!r.total)
		return;
	keep = r.total > HG_RANGE_KEPT ? HG_RANGE_KEPT - 1 : (int)r.total;
	w = (size_t)snprintf(list, sizeof(list), "[");
	for (int i = 0; i < keep && w < sizeof(list); i++)
		w += (size_t)snprintf(list + w, sizeof(list) - w, "%s%s", i ? ", " : "", r.kept[i]);
	if (r.total > (u64)keep && w < sizeof(list))
		w += (size_t)snprintf(list + w, sizeof(list) - w, ", … %" PRIu64 " more", r.total - (u64)keep);
	if (w < sizeof(list))
		snprintf(list + w, sizeof(list) - w, "]");
	snprintf(fail, sizeof(fail), "line %d: %s: %" PRIu64 " of %" PRIu64 " pages depart: %s", c->line, call, r.total, pages, list);
	c->fail = fail;
}

/* ---- actors: a forked process or a named thread that runs the steps given to it ---- */
static void hg_actor_loop(int idx)
{
	struct hg_actor *a = &hg->actors[idx];
	int seen = 0;

	for (;;) {
		int spins = 0;
		while (a->cmd == seen) {
			if (++spins < 100)
				sched_yield();
			else
				hg_sleep_ms(1);
		}
		seen = a->cmd;
		if (!a->fn)
			return;
		a->fn();
		__atomic_store_n(&a->done, seen, __ATOMIC_SEQ_CST);
	}
}

static int hg_actor_alive(const struct hg_actor *a)
{
	if (a->process && a->pid != hg->main_pid) {
		int st;
		if (waitpid(a->pid, &st, WNOHANG | __WALL) == a->pid) {
			/* reaped: remember how it ended in its slot (negative: killed by that signal) */
			((struct hg_actor *)a)->tid = WIFSIGNALED(st) ? -WTERMSIG(st) : -1000 - WEXITSTATUS(st);
			return 0;
		}
		return a->tid > 0 && kill(a->pid, 0) == 0;
	}
	return a->tid > 0;
}

static int hg_actor_index(const char *name)
{
	for (int i = 0; i < hg->nactors; i++)
		if (!strcmp(hg->actors[i].name, name))
			return i;
	return -1;
}

/* Run fn in actor idx and wait for it: the step's checks run there too. */
static int hg_run_in(int idx, void (*fn)(void), int line)
{
	struct hg_actor *a = &hg->actors[idx];
	int cmd;

	if (idx == 0 || (a->pid == getpid() && a->tid == hg_gettid())) {
		fn();
		return hg->flow;
	}
	if (!hg_actor_alive(a)) {
		hg_out("#  !!! %s %s is dead", a->process ? "process" : "thread", a->name);
		hg_stop(HG_FAIL, "%s %s is dead", a->process ? "process" : "thread", a->name);
		return HG_STOP;
	}
	a->fn = fn;
	cmd = __atomic_add_fetch(&a->cmd, 1, __ATOMIC_SEQ_CST);
	for (int ms = 0; a->done != cmd; ms++) {
		if (!hg_actor_alive(a)) {
			hg_out("#  !!! %s %s is dead", a->process ? "process" : "thread", a->name);
			hg_stop(HG_FAIL, "%s %s is dead", a->process ? "process" : "thread", a->name);
			return HG_STOP;
		}
		if (ms > HG_BLOCK_MS * 10) {
			hg_out("#  !!! blocked: the step at line %d waits in %s", line, a->name);
			hg_stop(HG_FAIL, "blocked: the step at line %d waits in %s", line, a->name);
			return HG_STOP;
		}
		if (ms < 1000)
			sched_yield();
		else
			hg_sleep_ms(1);
	}
	return hg->flow;
}

/* A step in a named process or thread. */
static int hg_run_named(const char *name, void (*fn)(void), int line)
{
	int idx = hg_actor_index(name);

	if (idx < 0) {
		hg_out("#  !!! process %s does not exist (its fork/spawn failed)", name);
		hg_stop(HG_FAIL, "process %s does not exist (its fork/spawn failed)", name);
		return HG_STOP;
	}
	return hg_run_in(idx, fn, line);
}

/* The scenario's functions: log2, min, max (pfn and phys read pagemap, above). */
static u64 hg_log2(u64 x)
{
	u64 n = 0;

	while (x > 1) {
		x >>= 1;
		n++;
	}
	return n;
}
static u64 hg_min(u64 a, u64 b) { return (s64)a < (s64)b ? a : b; }
static u64 hg_max(u64 a, u64 b) { return (s64)a > (s64)b ? a : b; }

/* Let every other actor run once, so that signals queued to it have reached its handler. */
static void hg_settle(void);
static void hg_nop(void) {}
static void hg_settle(void)
{
	for (int i = 1; i < hg->nactors; i++)
		if (hg->actors[i].process && hg_actor_alive(&hg->actors[i]))
			hg_run_in(i, hg_nop, 0);
}

static int hg_new_actor(const char *name, int process)
{
	int idx = hg->nactors++;
	struct hg_actor *a = &hg->actors[idx];

	snprintf(a->name, sizeof(a->name), "%s", name);
	a->process = process;
	a->pid = 0;
	a->tid = 0;
	return idx;
}

/* fork(): the child becomes actor name and runs steps until told to stop. */
static s64 hg_fork(const char *name)
{
	int idx = hg_new_actor(name, 1);
	pid_t pid = fork();

	if (pid == 0) {
		hg->actors[idx].tid = hg_gettid();
		hg->actors[idx].pid = getpid();
		hg_actor_loop(idx);
		_exit(0);
	}
	if (pid < 0)
		return -1;
	hg->actors[idx].pid = pid;
	while (hg->actors[idx].tid == 0)
		hg_sleep_ms(1);
	return pid;
}

static void *hg_thread_main(void *arg)
{
	int idx = (int)(intptr_t)arg;

	hg->actors[idx].tid = hg_gettid();
	hg_actor_loop(idx);
	return NULL;
}

/* pthread_create(): the thread becomes actor name. */
static s64 hg_thread(const char *name)
{
	int idx = hg_new_actor(name, 0);
	pthread_t t;

	hg->actors[idx].pid = getpid();
	if (pthread_create(&t, NULL, hg_thread_main, (void *)(intptr_t)idx)) {
		errno = EAGAIN;
		return -1;
	}
	pthread_detach(t);
	while (hg->actors[idx].tid == 0)
		hg_sleep_ms(1);
	return hg->actors[idx].tid;
}

/* ---- the kernel view of a named mapping's page tables (report/observations runLines, mappedSizes) ---- */
struct hg_run { u64 start, end, size; int present, count; };

static const char *hg_size_name(u64 bytes)
{
	static __thread char ring[4][24];
	static __thread int next;
	char *buf = ring[next++ & 3];

	if (bytes >= (1ULL << 30) && bytes % (1ULL << 30) == 0)
		snprintf(buf, 24, "%" PRIu64 "G", bytes >> 30);
	else if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0)
		snprintf(buf, 24, "%" PRIu64 "M", bytes >> 20);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, 24, "%" PRIu64 "K", bytes >> 10);
	else
		snprintf(buf, 24, "0x%" PRIx64, bytes);
	return buf;
}

static const char *hg_level(u64 size)
{
	return size == 4096 ? "PTE" : size == (2ULL << 20) ? "PMD" : size == (1ULL << 30) ? "PUD" : hg_size_name(size);
}

/* Equal consecutive entries folded; each entry as large as its VMA's KernelPageSize. */
static int hg_runs(int pid, u64 start, u64 end, struct hg_run *runs, int max)
{
	int n = 0;

	for (u64 at = start; at < end;) {
		s64 kps = hg_smaps(pid, at, "KernelPageSize");
		u64 size = kps > 0 ? (u64)kps * 1024 : hg_hugepagesz;
		u64 entry = at - at % size;
		int present = (hg_pagemap(pid, at) & HG_PM_PRESENT) != 0;

		if (n > 0 && runs[n - 1].size == size && runs[n - 1].present == present && runs[n - 1].end == entry) {
			runs[n - 1].end = entry + size;
			runs[n - 1].count++;
		} else if (n < max) {
			runs[n++] = (struct hg_run){ entry, entry + size, size, present, 1 };
		}
		at = entry + size;
	}
	return n;
}

/* dump: {mapping: X}: [X+0x000000, X+0x200000) PMD 2M present, offsets padded to the length's width. */
static void hg_dump_runs(const struct hg_map *m, int pid, u64 start, u64 end)
{
	struct hg_run runs[512];
	int n = hg_runs(pid, start, end, runs, 512);
	int width = snprintf(NULL, 0, "%" PRIx64, m->len);

	for (int i = 0; i < n; i++) {
		char count[24] = "";
		if (runs[i].count > 1)
			snprintf(count, sizeof(count), " x%d", runs[i].count);
		hg_out("# [%s+0x%0*" PRIx64 ", %s+0x%0*" PRIx64 ") %s %s %s%s", m->name, width, runs[i].start - m->start, m->name, width,
		       runs[i].end - m->start, hg_level(runs[i].size), hg_size_name(runs[i].size), runs[i].present ? "present" : "not-present", count);
	}
}

static void hg_dump_mapping(int line, u64 addr, int has_length, u64 length)
{
	struct hg_map *m = hg_map_of(addr);

	(void)line;
	if (!m) {
		hg_out("# dump: no named mapping at %s", hg_addr(addr));
		return;
	}
	if (has_length)
		hg_dump_runs(m, getpid(), addr, addr + length);
	else
		for (int j = 0; j < m->npieces; j++)
			hg_dump_runs(m, getpid(), m->live[j].start, m->live[j].end);
}

/* dump: {meminfo: true}: the lines report/observations meminfoLines prints, read from /proc/meminfo. */
static void hg_dump_meminfo(void)
{
	static const char *names[] = { "HardwareCorrupted", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
				       "HugePages_Surp", "Hugepagesize", "Hugetlb" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int kb = !strcmp(names[i], "HardwareCorrupted") || !strcmp(names[i], "Hugepagesize") || !strcmp(names[i], "Hugetlb");
		int pad = 23 - (int)strlen(names[i]);
		hg_out("# %s:%*" PRId64 "%s", names[i], pad < 1 ? 1 : pad, hg_meminfo(names[i]), kb ? " kB" : "");
	}
}

static void hg_dump_dmesg(void)
{
	char *copy, *line, *save = NULL;

	hg_kmsg_drain();
	copy = strdup(hg->dmesg);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		hg_out("# dmesg: %s", line);
	free(copy);
}

/* ---- the summary a test ends with (report/observations summaryLines), in the kernel's view ---- */
static void hg_summary(void)
{
	char line[4096];
	int n = hg->nsigs < HG_MAX_SIGS ? hg->nsigs : HG_MAX_SIGS;
	size_t len = 0;
	int parts = 0;
	s64 delta;

	/* SIGBUS by receiver (main first, then each forked process in creation order, then other pids) and code. */
	int pids[HG_MAX_ACTORS + 64], npids = 0;
	pids[npids++] = hg->main_pid;
	for (int a = 1; a < hg->nactors; a++)
		if (hg->actors[a].process && hg->actors[a].pid > 0 && hg->actors[a].pid != hg->main_pid)
			pids[npids++] = hg->actors[a].pid;
	for (int i = 0; i < n; i++) {
		int known = 0;
		for (int r = 0; r < npids; r++)
			known |= pids[r] == hg->sigs[i].pid;
		if (!known && npids < HG_MAX_ACTORS + 64)
			pids[npids++] = hg->sigs[i].pid;
	}
	for (int r = 0; r < npids; r++) {
		int codes[8], ncodes = 0;
		char who[48] = "";

		if (r > 0) {
			snprintf(who, sizeof(who), " pid %d", pids[r]);
			for (int a = 1; a < hg->nactors; a++)
				if (hg->actors[a].process && hg->actors[a].pid == pids[r])
					snprintf(who, sizeof(who), " %s", hg->actors[a].name);
		}
		for (int i = 0; i < n; i++) {
			int seen = 0;
			if (hg->sigs[i].pid != pids[r])
				continue;
			for (int k = 0; k < ncodes; k++)
				seen |= codes[k] == hg->sigs[i].code;
			if (!seen && ncodes < 8)
				codes[ncodes++] = hg->sigs[i].code;
		}
		for (int k = 0; k < ncodes; k++) {
			int count = 0, distinct = 0, shown;
			struct hg_sig *pairs[64];

			for (int i = 0; i < n; i++) {
				struct hg_sig *s = &hg->sigs[i];
				int dup = 0;
				if (s->pid != pids[r] || s->code != codes[k])
					continue;
				count++;
				for (int d = 0; d < distinct && d < 64; d++) {
					char a1[64];
					snprintf(a1, sizeof(a1), "%s", hg_addr(pairs[d]->addr));
					dup |= !strcmp(a1, hg_addr(s->addr)) && pairs[d]->lsb == s->lsb;
				}
				if (!dup) {
					if (distinct < 64)
						pairs[distinct] = s;
					distinct++;
				}
			}
			len = snprintf(line, sizeof(line), "# sigbus%s: %d %s", who, count, hg_code_name(codes[k]));
			shown = distinct > 4 ? 3 : distinct;
			for (int d = 0; d < shown; d++) {
				struct hg_sig *s = pairs[d];
				len += snprintf(line + len, sizeof(line) - len, "%s si_addr=%s", d ? "," : "", hg_addr(s->addr));
				if (s->lsb || s->code == BUS_MCEERR_AR || s->code == BUS_MCEERR_AO)
					len += snprintf(line + len, sizeof(line) - len, " si_addr_lsb=%d", s->lsb);
			}
			if (distinct > shown)
				len += snprintf(line + len, sizeof(line) - len, ", … %d more", distinct - shown);
			hg_out("%s", line);
		}
	}
	/* Processes a signal killed: the wait status names the signal, never its si_code. */
	for (int a = 1; a < hg->nactors; a++) {
		struct hg_actor *p = &hg->actors[a];
		if (!p->process || p->pid == hg->main_pid)
			continue;
		hg_actor_alive(p);
		if (p->tid < 0 && p->tid > -1000)
			hg_out("# killed: %s by %s", p->name, -p->tid == SIGBUS ? "SIGBUS" : -p->tid == SIGKILL ? "SIGKILL" : strsignal(-p->tid));
	}
	/* mapped X: …, for the named mappings still mapped in a live process; then HardwareCorrupted. */
	len = 0;
	line[0] = 0;
	for (int i = 0; i < hg->nmaps; i++) {
		struct hg_map *m = &hg->maps[i];
		u64 sizes[8];
		int present[8], count[8], kinds = 0, alive = m->pid == hg->main_pid;

		for (int a = 1; a < hg->nactors && !alive; a++)
			alive = hg->actors[a].process && hg->actors[a].pid == m->pid && hg_actor_alive(&hg->actors[a]);
		if (!m->npieces || !alive)
			continue;
		for (int j = 0; j < m->npieces; j++) {
			struct hg_run runs[512];
			int nr = hg_runs(m->pid, m->live[j].start, m->live[j].end, runs, 512);
			for (int k = 0; k < nr; k++) {
				int found = -1;
				for (int q = 0; q < kinds; q++)
					if (sizes[q] == runs[k].size && present[q] == runs[k].present)
						found = q;
				if (found < 0 && kinds < 8) {
					found = kinds++;
					sizes[found] = runs[k].size;
					present[found] = runs[k].present;
					count[found] = 0;
				}
				if (found >= 0)
					count[found] += runs[k].count;
			}
		}
		len += snprintf(line + len, sizeof(line) - len, "%smapped %s: ", parts++ ? " | " : "", m->name);
		/* present first, then not-present; larger entries first */
		for (int pass = 1, first = 1; pass >= 0; pass--) {
			for (;;) {
				int best = -1;
				for (int q = 0; q < kinds; q++)
					if (count[q] >= 0 && present[q] == pass && (best < 0 || sizes[q] > sizes[best]))
						best = q;
				if (best < 0)
					break;
				len += snprintf(line + len, sizeof(line) - len, "%s%s%s x%d", first ? "" : ", ", pass ? "" : "not-present ",
						hg_size_name(sizes[best]), count[best]);
				count[best] = -1;
				first = 0;
			}
		}
	}
	delta = hg_meminfo("HardwareCorrupted") - (s64)hg->hwc_start;
	if (parts || delta || hg->injected)
		hg_out("# %s%sHardwareCorrupted: %s%" PRId64 " kB", line, parts ? " | " : "", delta < 0 ? "-" : "+", delta < 0 ? -delta : delta);
}

static void hg_alarm(int sig)
{
	static const char msg[] = "# !!! the test ran out of time\n";
	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

/* The test's shared state, fresh; the handler; the log and counters it starts from. */
static void hg_test_begin(void)
{
	hg = mmap(NULL, sizeof(*hg), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (hg == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	hg->main_pid = getpid();
	hg->acting_pid = getpid();
	hg_new_actor("main", 1);
	hg->actors[0].pid = getpid();
	hg->actors[0].tid = hg_gettid();
	hg_sigbus_action("record");
	signal(SIGALRM, hg_alarm);
	alarm(HG_TEST_SECONDS);
	hg->hwc_start = (u64)hg_meminfo("HardwareCorrupted");
	hg_kmsg_open();
	/* The model's tasks are named after the scenario (TASK_COMM_LEN): the kernel's messages name them. */
	prctl(PR_SET_NAME, HG_COMM, 0, 0, 0);
}

/* After the test: settle signals, the summary, then stop every actor. */
static void hg_test_end(void)
{
	alarm(0);
	hg_settle();
	hg_summary();
	for (int i = 1; i < hg->nactors; i++) {
		struct hg_actor *a = &hg->actors[i];
		if (a->process && a->pid != hg->main_pid && hg_actor_alive(a)) {
			a->fn = NULL;
			__atomic_add_fetch(&a->cmd, 1, __ATOMIC_SEQ_CST);
		}
	}
	for (int i = 1; i < hg->nactors; i++) {
		struct hg_actor *a = &hg->actors[i];
		if (a->process && a->pid > 0 && a->pid != hg->main_pid && a->tid > 0) {
			for (int ms = 0; ms < 1000 && waitpid(a->pid, NULL, WNOHANG | __WALL) == 0; ms++)
				hg_sleep_ms(1);
			kill(a->pid, SIGKILL);
			waitpid(a->pid, NULL, __WALL);
		}
	}
}
`;
