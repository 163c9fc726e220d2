/**
 * How sizes and ages are shown to people, the way the Docker CLI shows them (go-units
 * `HumanSize`, decimal units, three significant digits; `HumanDuration` + " ago").
 *
 * @module
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `13256` -> `13.3kB` (decimal units, as `docker images` prints). */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${UNITS[unit]}`;
}

/** A duration in the words `docker ps`/`docker images` use: `5 seconds`, `About an hour`, `3 weeks`. */
export function humanDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  const days = hours / 24;
  if (days < 14) return `${Math.floor(days)} days`;
  if (days < 90) return `${Math.floor(days / 7)} weeks`;
  if (days < 730) return `${Math.floor(days / 30)} months`;
  return `${Math.floor(days / 365)} years`;
}

/** `created` (RFC 3339) as `3 days ago`, or the empty string when it is missing or unparsable. */
export function timeAgo(created: string | undefined, now: number = Date.now()): string {
  if (!created) return '';
  const at = Date.parse(created);
  if (Number.isNaN(at)) return '';
  return `${humanDuration(Math.max(0, now - at))} ago`;
}
