// The C side of a standalone `expect:` step's fields (src/runner/expect/), in the kernel's view: each
// compares what a process can read and words a mismatch as the model does (`what: expected X, got Y`);
// what no process can read is said on a `# not observable on a kernel:` line and left out. Also the
// pfn look-ups a scenario's pfn_of step needs. Appended to RUNTIME_C (runtime.ts).

export const RUNTIME_CHECKS_C = String.raw`
/* HardwareCorrupted: +N kB since the test began, or N kB. */
static void hg_x_hwc(int line, int delta, s64 want)
{
	s64 now = hg_meminfo("HardwareCorrupted");
	s64 have = delta ? now - (s64)hg->hwc_start : now;
	char w[48], h[48];

	if (have == want)
		return;
	snprintf(w, sizeof(w), "%s%" PRId64 " kB", delta ? "+" : "", want);
	snprintf(h, sizeof(h), "%s%" PRId64 " kB", delta ? "+" : "", have);
	hg_mismatch(line, "HardwareCorrupted", w, h);
}

/* pool: total, free, resv, surplus of the program's hugepage size (the hstate's sysfs files). */
static void hg_x_pool(int line, const char *field, s64 want)
{
	const char *file = !strcmp(field, "total") ? "nr_hugepages" : !strcmp(field, "free") ? "free_hugepages"
			 : !strcmp(field, "resv") ? "resv_hugepages" : "surplus_hugepages";
	s64 have = hg_pool(file);
	char what[64], w[32], h[32];

	if (have == want)
		return;
	snprintf(what, sizeof(what), "pool %s %s", hg_size_name(hg_hugepagesz), field);
	snprintf(w, sizeof(w), "%" PRId64, want);
	snprintf(h, sizeof(h), "%" PRId64, have);
	hg_mismatch(line, what, w, h);
}

/* smaps(P+0x0) Field of the acting process's VMA at addr. */
static void hg_x_smaps(int line, u64 addr, const char *field, s64 want)
{
	s64 have = hg_smaps(getpid(), addr, field);
	char what[96], w[32], h[48];

	snprintf(w, sizeof(w), "%" PRId64 " kB", want);
	if (have == -1)
		snprintf(h, sizeof(h), "no VMA");
	else if (have == -2)
		snprintf(h, sizeof(h), "no such field on this kernel");
	else
		snprintf(h, sizeof(h), "%" PRId64 " kB", have);
	if (!strcmp(w, h))
		return;
	snprintf(what, sizeof(what), "smaps(%s) %s", hg_addr(addr), field);
	hg_mismatch(line, what, w, h);
}

/*
 * mapping: {at, size, kind, uffd_wp}. The entry's size is its VMA's KernelPageSize; its kind is what
 * pagemap shows: present, or not-present (a hwpoison entry, a uffd-wp marker and no entry look alike on
 * hugetlb); uffd_wp is pagemap's bit 57. want_kind: NULL (not asked), "present" or another model kind.
 */
static void hg_x_mapping(int line, u64 addr, int has_size, u64 size, const char *want_kind, int has_wp, int wp)
{
	s64 kps = hg_smaps(getpid(), addr, "KernelPageSize");
	u64 e = hg_pagemap(getpid(), addr);
	char what[96], w[96] = "", h[96] = "";
	size_t wl = 0, hl = 0;

	if (want_kind && strcmp(want_kind, "present")) {
		char note[96];
		snprintf(note, sizeof(note), "mapping at %s kind %s (checked: not present)", hg_addr(addr), want_kind);
		hg_not_observable(line, note);
	}
	if (has_size)
		wl += snprintf(w + wl, sizeof(w) - wl, "%s", hg_size_name(size));
	if (want_kind)
		wl += snprintf(w + wl, sizeof(w) - wl, "%s%s", wl ? " " : "", strcmp(want_kind, "present") ? "not-present" : "present");
	if (has_wp)
		wl += snprintf(w + wl, sizeof(w) - wl, "%s%s", wl ? " " : "", wp ? "uffd-wp" : "no uffd-wp");
	if (kps < 0) {
		snprintf(h, sizeof(h), "no VMA");
	} else {
		if (has_size)
			hl += snprintf(h + hl, sizeof(h) - hl, "%s", hg_size_name((u64)kps * 1024));
		if (want_kind)
			hl += snprintf(h + hl, sizeof(h) - hl, "%s%s", hl ? " " : "", (e & HG_PM_PRESENT) ? "present" : "not-present");
		if (has_wp)
			hl += snprintf(h + hl, sizeof(h) - hl, "%s%s", hl ? " " : "", (e & HG_PM_UFFD_WP) ? "uffd-wp" : "no uffd-wp");
	}
	if (!strcmp(w, h))
		return;
	snprintf(what, sizeof(what), "mapping at %s", hg_addr(addr));
	hg_mismatch(line, what, w, h);
}

/*
 * bytes [P+0x0, P+0x400000): every byte equals value. Read only where pagemap shows a present page (a
 * read elsewhere would fault the page in, or SIGBUS on a poisoned one: the model reads the folio's
 * contents without touching the page tables); the pages left unread are said not observable.
 */
static void hg_x_bytes(int line, u64 addr, u64 len, int value)
{
	u64 skipped = 0;

	for (u64 at = addr; at < addr + len;) {
		u64 next = (at / HG_PAGE + 1) * HG_PAGE;
		if (next > addr + len)
			next = addr + len;
		if (!(hg_pagemap(getpid(), at) & HG_PM_PRESENT)) {
			skipped++;
			at = next;
			continue;
		}
		for (const volatile unsigned char *p = (const volatile unsigned char *)(uintptr_t)at; (u64)(uintptr_t)p < next; p++) {
			if (*p != value) {
				char what[128], w[32], h[96];
				snprintf(what, sizeof(what), "bytes [%s, ", hg_addr(addr));
				snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s)", hg_addr(addr + len));
				snprintf(w, sizeof(w), "all %d", value);
				snprintf(h, sizeof(h), "%d at %s", *p, hg_addr((u64)(uintptr_t)p));
				hg_mismatch(line, what, w, h);
				return;
			}
		}
		at = next;
	}
	if (skipped) {
		char note[128];
		snprintf(note, sizeof(note), "bytes of %" PRIu64 " pages from %s that are not present", skipped, hg_addr(addr));
		hg_not_observable(line, note);
	}
}

/* pagemap(P+0x0) bit: the acting process's pagemap entry. */
static void hg_x_pagemap(int line, u64 addr, const char *bit, u64 mask, int want)
{
	int have = (hg_pagemap(getpid(), addr) & mask) != 0;
	char what[96];

	if (have == want)
		return;
	snprintf(what, sizeof(what), "pagemap(%s) %s", hg_addr(addr), bit);
	hg_mismatch(line, what, want ? "true" : "false", have ? "true" : "false");
}

static void hg_x_pagemap_pfn(int line, u64 addr, u64 want)
{
	u64 e = hg_pagemap(getpid(), addr);
	char what[96], w[32], h[32];

	snprintf(w, sizeof(w), "0x%" PRIx64, want);
	if (e & HG_PM_PRESENT)
		snprintf(h, sizeof(h), "0x%" PRIx64, e & HG_PM_PFN);
	else
		snprintf(h, sizeof(h), "not present");
	if (!strcmp(w, h))
		return;
	snprintf(what, sizeof(what), "pagemap(%s) pfn", hg_addr(addr));
	hg_mismatch(line, what, w, h);
}

/* value of TEXT: both sides in decimal and hex (runner/expect/counters.ts). */
static void hg_x_value(int line, const char *text, u64 have, u64 want)
{
	char what[256], w[64], h[64];

	if (have == want)
		return;
	snprintf(what, sizeof(what), "value of %s", text);
	snprintf(w, sizeof(w), "%" PRId64 " (0x%" PRIx64 ")", (s64)want, want);
	snprintf(h, sizeof(h), "%" PRId64 " (0x%" PRIx64 ")", (s64)have, have);
	hg_mismatch(line, what, w, h);
}

/* dmesg: a line containing text (or matching pattern) since the test began; with count, exactly count. */
static void hg_x_dmesg(int line, const char *text, const char *pattern, int has_count, s64 count)
{
	int n = hg_dmesg_count(text, pattern);
	char shown[512], what[600], w[32], h[32];

	if (pattern)
		snprintf(shown, sizeof(shown), "/%s/", pattern);
	else
		snprintf(shown, sizeof(shown), "\"%s\"", text);
	if (!has_count) {
		if (n == 0)
			hg_mismatch(line, "dmesg", shown, "no such line in this test");
		return;
	}
	if (n == count)
		return;
	snprintf(what, sizeof(what), "dmesg %s", shown);
	snprintf(w, sizeof(w), "%" PRId64 " line%s", count, count == 1 ? "" : "s");
	snprintf(h, sizeof(h), "%d", n);
	hg_mismatch(line, what, w, h);
}

/* signals: {C: [...]}: the SIGBUS signals process C received, each shown with the fields its expectation names. */
struct hg_want_sig { int code; int has_addr; u64 addr; int has_lsb; int lsb; };
static void hg_x_signals(int line, const char *name, const struct hg_want_sig *want, int nwant)
{
	int idx = hg_actor_index(name);
	int n = hg->nsigs < HG_MAX_SIGS ? hg->nsigs : HG_MAX_SIGS, k = 0;
	char w[2048] = "[", h[2048] = "[", what[64];
	size_t wl = 1, hl = 1;

	hg_settle();
	snprintf(what, sizeof(what), "signals %s", name);
	if (idx < 0) {
		hg_mismatch(line, what, "[…]", "no such process");
		return;
	}
	for (int i = 0; i < nwant; i++) {
		wl += snprintf(w + wl, sizeof(w) - wl, "%s%s", i ? ", " : "", hg_code_name(want[i].code));
		if (want[i].has_addr)
			wl += snprintf(w + wl, sizeof(w) - wl, " si_addr=%s", hg_addr(want[i].addr));
		if (want[i].has_lsb)
			wl += snprintf(w + wl, sizeof(w) - wl, " si_addr_lsb=%d", want[i].lsb);
	}
	for (int i = 0; i < n; i++) {
		struct hg_sig *s = &hg->sigs[i];
		const struct hg_want_sig *like = k < nwant ? &want[k] : NULL;
		if (s->pid != hg->actors[idx].pid || s->signo != SIGBUS)
			continue;
		hl += snprintf(h + hl, sizeof(h) - hl, "%s%s", k ? ", " : "", hg_code_name(s->code));
		if (!like || like->has_addr)
			hl += snprintf(h + hl, sizeof(h) - hl, " si_addr=%s", hg_addr(s->addr));
		if (!like || like->has_lsb)
			hl += snprintf(h + hl, sizeof(h) - hl, " si_addr_lsb=%d", s->lsb);
		k++;
	}
	snprintf(w + wl, sizeof(w) - wl, "]");
	snprintf(h + hl, sizeof(h) - hl, "]");
	if (strcmp(w, h))
		hg_mismatch(line, what, w, h);
}

/* alive: [...] / dead: [...]: main is this process; another is alive until waitpid reports it. */
static void hg_x_alive(int line, const char *name, int want_alive)
{
	int idx = hg_actor_index(name);
	char what[64];
	const char *have = idx < 0 ? "no such process" : hg_actor_alive(&hg->actors[idx]) ? "alive" : "dead";

	if (!strcmp(have, want_alive ? "alive" : "dead"))
		return;
	snprintf(what, sizeof(what), "process %s", name);
	hg_mismatch(line, what, want_alive ? "alive" : "dead", have);
}

/* pfn_of {fd, offset}: map the file's hugepage at offset, touch it (a read), and read its pfn. */
static u64 hg_pfn_of_file(int fd, u64 offset)
{
	u64 base = offset - offset % hg_hugepagesz, pfn = (u64)-1;
	void *p = mmap(NULL, hg_hugepagesz, PROT_READ, MAP_SHARED, fd, (off_t)base);
	int v;

	if (p == MAP_FAILED)
		return pfn;
	hg_probing = 1;
	if (!hg_touch((u64)(uintptr_t)p + offset % hg_hugepagesz, 0, 0, &v))
		pfn = hg_pfn((u64)(uintptr_t)p + offset % hg_hugepagesz);
	hg_probing = 0;
	munmap(p, hg_hugepagesz);
	return pfn;
}

/*
 * pfn_of {free_hugepage: n}: the n-th free hugepage of the program's size by pfn: a compound head with
 * the HUGE flag (/proc/kpageflags bits 15 and 17), not HWPOISON (bit 19), that nobody maps or holds
 * (/proc/kpagecount 0), on a hugepage-aligned pfn. The model's free list order is its own; any free hugepage serves the scenarios.
 */
static u64 hg_pfn_of_free_hugepage(u64 n)
{
	int flags = open("/proc/kpageflags", O_RDONLY), count = open("/proc/kpagecount", O_RDONLY);
	u64 step = hg_hugepagesz / HG_PAGE, found = (u64)-1;

	if (flags >= 0 && count >= 0) {
		for (u64 pfn = 0;; pfn += step) {
			u64 f, c;
			if (pread(flags, &f, 8, (off_t)(pfn * 8)) != 8 || pread(count, &c, 8, (off_t)(pfn * 8)) != 8)
				break;
			if ((f & (1ULL << 15)) && (f & (1ULL << 17)) && !(f & (1ULL << 19)) && c == 0 && n-- == 0) {
				found = pfn;
				break;
			}
		}
	}
	if (flags >= 0)
		close(flags);
	if (count >= 0)
		close(count);
	return found;
}

/* The range ioctls UFFDIO_REGISTER reported, as the model spells them: [WAKE,COPY]. */
static const char *hg_ioctls_text(u64 ioctls, const char *const *names, const int *bits, int n)
{
	static __thread char buf[256];
	size_t len = 1;

	buf[0] = '[';
	buf[1] = 0;
	for (int i = 0, first = 1; i < n; i++) {
		if (!(ioctls & (1ULL << bits[i])))
			continue;
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s", first ? "" : ",", names[i]);
		first = 0;
	}
	snprintf(buf + len, sizeof(buf) - len, "]");
	return buf;
}
`;
