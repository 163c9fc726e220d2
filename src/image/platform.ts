/**
 * Platforms (image-index.md `platform`): the `os/arch[/variant]` text form, normalization of
 * architecture aliases and default variants, matching, the host's platform, and choosing the manifest
 * for a platform from an index.
 *
 * Normalization follows containerd's platforms package, which Docker uses: `x86_64` is `amd64`,
 * `aarch64` is `arm64`, `arm64` means `arm64/v8`, plain `arm` means `arm/v7`, `armhf` is `arm/v7`,
 * `armel` is `arm/v6`, `i386` is `386`, and `amd64/v1` is plain `amd64`.
 *
 * @module
 */
import { arch as osArch, endianness } from 'node:os';
import { InvalidInputError } from '../errors.js';
import { isIndexMediaType, isManifestMediaType } from './media-types.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

/** Error code of a platform string that cannot be parsed. */
export const ERR_INVALID_PLATFORM = 'ERR_INVALID_PLATFORM';

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js',
  'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos',
]);
const COMPONENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses `os/arch[/variant]`, `os` or `arch` (containerd's specifier syntax) and normalizes it.
 * A lone operating system gets the host architecture; a lone architecture gets `linux`.
 * `windows(10.0.17763)/amd64` sets `os.version`.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  const invalid = (why: string): InvalidInputError =>
    new InvalidInputError(`invalid platform "${text}": ${why}`, {
      code: ERR_INVALID_PLATFORM,
      hint: 'write it as os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8',
    });
  if (parts.length > 3 || parts.some((part) => part === '')) throw invalid('expected os/arch[/variant]');
  let osPart = parts[0] as string;
  let osVersion: string | undefined;
  const versioned = /^([^()]+)\(([^()]+)\)$/.exec(osPart);
  if (versioned) {
    osPart = versioned[1] as string;
    osVersion = versioned[2] as string;
  }
  for (const part of [osPart, ...parts.slice(1)]) {
    if (!COMPONENT.test(part)) throw invalid(`"${part}" has characters other than letters, digits, "_", "." and "-"`);
  }
  let platform: Platform;
  if (parts.length === 1) {
    const word = osPart.toLowerCase();
    platform = KNOWN_OS.has(word) ? { os: word, architecture: hostPlatform().architecture } : { os: 'linux', architecture: word };
  } else {
    platform = { os: osPart.toLowerCase(), architecture: (parts[1] as string).toLowerCase() };
    if (parts[2] !== undefined) platform.variant = parts[2].toLowerCase();
  }
  if (osVersion !== undefined) platform['os.version'] = osVersion;
  return normalizePlatform(platform);
}

/** `os/arch[/variant]`, the form `--platform` takes. */
export function formatPlatform(platform: Pick<Platform, 'os' | 'architecture' | 'variant'>): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}

/**
 * The canonical form of a platform: lower case, architecture aliases resolved, default variants made
 * explicit (`arm64` -> `arm64/v8`, `arm` -> `arm/v7`) and meaningless ones dropped (`amd64/v1`).
 */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase();
  let architecture = platform.architecture.toLowerCase();
  let variant = platform.variant?.toLowerCase() ?? '';
  switch (architecture) {
    case 'i386':
      architecture = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === '' || variant === '8' || variant === 'v8.0') variant = 'v8';
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (/^[568]$/.test(variant)) variant = `v${variant}`;
      break;
  }
  const normalized: Platform = { ...platform, os, architecture };
  if (variant === '') delete normalized.variant;
  else normalized.variant = variant;
  return normalized;
}

/**
 * True when an image for `have` is exactly what `want` asks for: same OS, architecture and variant
 * after normalization (so `linux/arm64` matches `linux/arm64/v8`). When both name an `os.version`,
 * they must be equal too.
 */
export function platformMatches(want: Platform | string, have: Platform): boolean {
  const a = normalizePlatform(typeof want === 'string' ? parsePlatform(want) : want);
  const b = normalizePlatform(have);
  if (a.os !== b.os || a.architecture !== b.architecture || (a.variant ?? '') !== (b.variant ?? '')) return false;
  const wantVersion = a['os.version'];
  const haveVersion = b['os.version'];
  return wantVersion === undefined || haveVersion === undefined || wantVersion === haveVersion;
}

/**
 * True when a machine of platform `want` can run an image built for `have`: an exact match, or an
 * older variant of the same architecture (`arm/v7` runs `arm/v6` and `arm/v5`, `amd64/v3` runs
 * `amd64/v2` and plain `amd64`), as containerd's platform matcher allows.
 */
export function platformCompatible(want: Platform | string, have: Platform): boolean {
  const a = normalizePlatform(typeof want === 'string' ? parsePlatform(want) : want);
  const b = normalizePlatform(have);
  if (platformMatches(a, b)) return true;
  if (a.os !== b.os || a.architecture !== b.architecture) return false;
  return variantLevel(b) < variantLevel(a);
}

function variantLevel(platform: Platform): number {
  const match = /^v(\d+)$/.exec(platform.variant ?? '');
  if (match) return Number(match[1]);
  // Plain amd64 is the baseline level 1.
  return platform.variant === undefined ? 1 : Number.POSITIVE_INFINITY;
}

/**
 * The platform of this machine in image terms. Linux containers are what runs on Linux, macOS (in a
 * VM) and most Windows setups, so every host other than Windows reports `linux`.
 */
export function hostPlatform(): Platform {
  const os = process.platform === 'win32' ? 'windows' : 'linux';
  switch (process.arch) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'arm64':
      return { os, architecture: 'arm64', variant: 'v8' };
    case 'arm': {
      const level = (process.config.variables as Record<string, unknown>)['arm_version'];
      return { os, architecture: 'arm', variant: `v${typeof level === 'string' || typeof level === 'number' ? level : 7}` };
    }
    case 'ia32':
      return { os, architecture: '386' };
    case 'ppc64':
      return { os, architecture: endianness() === 'LE' ? 'ppc64le' : 'ppc64' };
    case 'mips':
      return { os, architecture: endianness() === 'LE' ? 'mipsle' : 'mips' };
    case 'mipsel':
      return { os, architecture: 'mipsle' };
    default:
      // s390x, riscv64, loong64 and others already use the image names.
      return { os, architecture: osArch() };
  }
}

/** True for index entries that are attestations or other non-image helpers (`unknown/unknown`). */
function isHelperEntry(entry: Descriptor): boolean {
  return entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown';
}

/** The platforms an index offers, as written there (`os/arch[/variant]`), in index order, without duplicates. */
export function availablePlatforms(index: ImageIndex): string[] {
  const seen = new Set<string>();
  for (const entry of index.manifests) {
    if (entry.platform === undefined || isHelperEntry(entry) || !isManifestMediaType(entry.mediaType)) continue;
    seen.add(formatPlatform(entry.platform));
  }
  return [...seen];
}

/**
 * The manifest of `index` for `platform` (default: this machine): the first exact match, else the
 * first compatible older variant. Undefined when there is none. Entries that are themselves indexes
 * are not descended into here (see `loadImage`).
 */
export function selectManifest(index: ImageIndex, platform: Platform | string = hostPlatform()): Descriptor | undefined {
  const want = typeof platform === 'string' ? parsePlatform(platform) : platform;
  const candidates = index.manifests.filter(
    (entry) => entry.platform !== undefined && isManifestMediaType(entry.mediaType) && !isHelperEntry(entry),
  );
  const exact = candidates.find((entry) => platformMatches(want, entry.platform as Platform));
  if (exact) return exact;
  // Prefer the newest compatible variant: the one with the highest level below what is wanted.
  let best: Descriptor | undefined;
  for (const entry of candidates) {
    const have = entry.platform as Platform;
    if (!platformCompatible(want, have)) continue;
    if (best === undefined || variantLevel(normalizePlatform(have)) > variantLevel(normalizePlatform(best.platform as Platform))) {
      best = entry;
    }
  }
  return best;
}

/** Index entries that are nested indexes, which `loadImage` searches when no manifest matches. */
export function nestedIndexes(index: ImageIndex): Descriptor[] {
  return index.manifests.filter((entry) => isIndexMediaType(entry.mediaType));
}
