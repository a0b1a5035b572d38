// Folio contents as an interval map: [start, end) ranges of one byte value, everything else zero.
// Unlike Linux, no memory backs a folio: a 1 GiB folio costs one interval until it is written, and
// checking a range costs the number of intervals it crosses, never the number of bytes.
//
// Invariants: segments are sorted, non-empty, non-overlapping, never adjacent with equal values, and
// never hold the value 0 (zero is the background).

interface Segment {
  start: number;
  end: number;
  value: number;
}

export class ByteMap {
  private segs: Segment[] = [];

  /** Number of stored intervals (what operations on this map cost). */
  get intervals(): number {
    return this.segs.length;
  }

  /** clear_huge_page(): every byte zero. */
  clear(): void {
    this.segs = [];
  }

  clone(): ByteMap {
    const copy = new ByteMap();
    copy.segs = this.segs.map((s) => ({ ...s }));
    return copy;
  }

  /** Index of the first segment whose end is > offset. */
  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segs[mid]!.end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(offset: number): number {
    const seg = this.segs[this.firstEndingAfter(offset)];
    return seg !== undefined && seg.start <= offset ? seg.value : 0;
  }

  /** Set [start, end) to value (0..255). */
  fill(start: number, end: number, value: number): void {
    if (end <= start) return;
    const i = this.firstEndingAfter(start);
    let j = i;
    const replaced: Segment[] = [];
    // Keep the parts of overlapped segments that stick out on either side.
    while (j < this.segs.length && this.segs[j]!.start < end) {
      const s = this.segs[j]!;
      if (s.start < start) replaced.push({ start: s.start, end: start, value: s.value });
      if (s.end > end) replaced.push({ start: end, end: s.end, value: s.value });
      j++;
    }
    const left = replaced.filter((s) => s.end <= start);
    const right = replaced.filter((s) => s.start >= end);
    const middle = value === 0 ? [] : [{ start, end, value }];
    this.segs.splice(i, j - i, ...left, ...middle, ...right);
    this.merge(Math.max(0, i - 1), i + left.length + middle.length + right.length + 1);
  }

  private merge(from: number, to: number): void {
    for (let k = Math.min(to, this.segs.length - 1); k > from; k--) {
      const a = this.segs[k - 1]!;
      const b = this.segs[k]!;
      if (a.end === b.start && a.value === b.value) {
        a.end = b.end;
        this.segs.splice(k, 1);
      }
    }
  }

  /** The first offset in [start, end) whose byte is not value, or -1. */
  findMismatch(start: number, end: number, value: number): number {
    let pos = start;
    for (let i = this.firstEndingAfter(start); pos < end; i++) {
      const s = this.segs[i];
      const gapEnd = s === undefined ? end : Math.min(end, s.start);
      if (pos < gapEnd) {
        if (value !== 0) return pos; // a zero gap
        pos = gapEnd;
      }
      if (s === undefined || pos >= end) break;
      if (s.value !== value) return Math.max(pos, s.start);
      pos = Math.max(pos, s.end);
    }
    return -1;
  }

  /**
   * The bytes at start, start+stride, … (`count` of them) as runs of equal value, in order: `index` is
   * the first sample of a run. Costs the intervals the samples cross, not the samples.
   */
  sample(start: number, stride: number, count: number): { index: number; count: number; value: number }[] {
    const runs: { index: number; count: number; value: number }[] = [];
    for (let i = 0; i < count;) {
      const pos = start + i * stride;
      const s = this.segs[this.firstEndingAfter(pos)];
      const inside = s !== undefined && s.start <= pos;
      const value = inside ? s.value : 0;
      const runEnd = inside ? s.end : s === undefined ? Infinity : s.start;
      const n = Math.min(count - i, Math.ceil((runEnd - pos) / stride));
      const last = runs[runs.length - 1];
      if (last !== undefined && last.value === value) last.count += n;
      else runs.push({ index: i, count: n, value });
      i += n;
    }
    return runs;
  }

  /** Copy [srcStart, srcStart+len) of src into this map at dstStart (copy_user_huge_page, in part). */
  copyFrom(src: ByteMap, srcStart: number, dstStart: number, len: number): void {
    this.fill(dstStart, dstStart + len, 0);
    const delta = dstStart - srcStart;
    for (const s of src.segs) {
      const a = Math.max(s.start, srcStart);
      const b = Math.min(s.end, srcStart + len);
      if (a < b) this.fill(a + delta, b + delta, s.value);
    }
  }
}
