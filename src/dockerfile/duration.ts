/**
 * Go `time.ParseDuration` for HEALTHCHECK's `--interval`, `--timeout`, `--start-period` and
 * `--start-interval` (BuildKit parses them with it): a sequence of decimal numbers with units
 * `ns us µs ms s m h`, optional sign, `0` alone allowed. Returns nanoseconds.
 *
 * @module
 */

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go duration string into nanoseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const match = PART.exec(s);
    if (!match || match.index !== start) return undefined;
    const [, whole = '', fraction = '', unit = ''] = match;
    if (whole === '' && fraction === '') return undefined;
    const scale = UNITS[unit]!;
    total += Number(whole || '0') * scale + (fraction ? Math.round(Number(`0.${fraction}`) * scale) : 0);
  }
  if (!Number.isSafeInteger(total)) return undefined;
  return sign * total;
}

/** Formats nanoseconds like Go's Duration.String (`1m30s`, `500ms`, `0s`). */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let v = Math.abs(ns);
  if (v < 1e3) return `${sign}${v}ns`;
  if (v < 1e6) return `${sign}${trim(v / 1e3)}µs`;
  if (v < 1e9) return `${sign}${trim(v / 1e6)}ms`;
  let out = '';
  const h = Math.floor(v / 3600e9);
  v -= h * 3600e9;
  const m = Math.floor(v / 60e9);
  v -= m * 60e9;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${sign}${out}${trim(v / 1e9)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
