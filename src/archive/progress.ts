/**
 * A one-line progress display for long transfers (save, load, import) on a terminal. It redraws at
 * most ten times a second and draws nothing when the stream is not a TTY, so piped and logged
 * output stays clean.
 *
 * @module
 */

/** What a transfer reports to. */
export interface ProgressLine {
  /** Bytes done so far. */
  update(done: number): void;
  /** Sets the total once it is known. */
  total(bytes: number): void;
  /** Clears the line. */
  finish(): void;
}

/** Options of {@link progressLine}. */
export interface ProgressLineOptions {
  /** Draw even when `stream.isTTY` is false (tests). */
  force?: boolean;
  /** Milliseconds between redraws (default 100). */
  interval?: number;
  now?: () => number;
}

/** A progress line labelled `label` on `stream`, or one that draws nothing when `stream` is not a terminal. */
export function progressLine(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, label: string, options: ProgressLineOptions = {}): ProgressLine {
  const enabled = options.force === true || stream.isTTY === true;
  const interval = options.interval ?? 100;
  const now = options.now ?? Date.now;
  let totalBytes: number | undefined;
  let last = -Infinity;
  let drawn = false;
  const started = now();
  const draw = (done: number): void => {
    const elapsed = Math.max((now() - started) / 1000, 0.001);
    const rate = `${formatBytes(done / elapsed)}/s`;
    let text: string;
    if (totalBytes) {
      const fraction = Math.min(done / totalBytes, 1);
      const width = 24;
      const filled = Math.round(fraction * width);
      text = `${label} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${formatBytes(done)}/${formatBytes(totalBytes)} ${rate}`;
    } else {
      text = `${label} ${formatBytes(done)} ${rate}`;
    }
    const columns = stream.columns ?? 80;
    stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
    drawn = true;
  };
  return {
    update(done) {
      if (!enabled) return;
      const t = now();
      if (t - last < interval) return;
      last = t;
      draw(done);
    },
    total(bytes) {
      totalBytes = bytes;
    },
    finish() {
      if (enabled && drawn) stream.write('\r\x1b[K');
    },
  };
}

/** `1.5 MB` style sizes (powers of 1000, as docker prints them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
