// Drops the parts of a source map that point into node_modules/, so that coverage of the bundled CLI
// (spawned by tests under tap) counts src/ alone, as it did when the CLI was tsc's dist/ files.
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

function decode(segment) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const d = DIGIT.get(c);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function encode(values) {
  let s = '';
  for (const v of values) {
    let x = v < 0 ? (-v << 1) | 1 : v << 1;
    do {
      let d = x & 31;
      x >>>= 5;
      if (x > 0) d |= 32;
      s += B64[d];
    } while (x > 0);
  }
  return s;
}

/** The map without segments whose source is under node_modules/ (sources and names are kept). */
export function stripNodeModules(map) {
  const drop = map.sources.map((s) => s.includes('node_modules/'));
  // Absolute state while decoding; fresh deltas while encoding the kept segments.
  let src = 0, line = 0, col = 0, name = 0;
  let oSrc = 0, oLine = 0, oCol = 0, oName = 0;
  const lines = map.mappings.split(';').map((l) => {
    let genCol = 0, oGen = 0;
    const kept = [];
    for (const seg of l ? l.split(',') : []) {
      const v = decode(seg);
      genCol += v[0];
      if (v.length === 1) continue; // a segment with no source: nothing to count
      src += v[1]; line += v[2]; col += v[3];
      if (v.length === 5) name += v[4];
      if (drop[src]) continue;
      const out = [genCol - oGen, src - oSrc, line - oLine, col - oCol];
      oGen = genCol; oSrc = src; oLine = line; oCol = col;
      if (v.length === 5) { out.push(name - oName); oName = name; }
      kept.push(encode(out));
    }
    return kept.join(',');
  });
  return { ...map, mappings: lines.join(';') };
}
