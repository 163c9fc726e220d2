/**
 * Platform strings as `--platform` takes them (`linux/amd64`, `linux/arm64/v8`, `arm64`), normalized
 * the way containerd's `platforms.Normalize` does for the common aliases.
 *
 * @module
 */
import type { Platform } from '../image/types.js';
import { InvalidInputError } from '../errors.js';
import { hostArchitecture } from './steps.js';

const ARCH_ALIASES: Record<string, [string, string | undefined]> = {
  x86_64: ['amd64', undefined],
  'x86-64': ['amd64', undefined],
  aarch64: ['arm64', undefined],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
  i386: ['386', undefined],
};

/** Parses `os/arch[/variant]` (or just `arch`, meaning linux). */
export function parsePlatformString(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new InvalidInputError(`invalid platform "${text}"`, { code: 'ERR_INVALID_PLATFORM', hint: 'use os/arch[/variant], e.g. linux/arm64' });
  }
  let [os, arch, variant] = parts.length === 1 ? ['linux', parts[0]!, undefined] : [parts[0]!, parts[1]!, parts[2]];
  const alias = ARCH_ALIASES[arch];
  if (alias) {
    arch = alias[0];
    variant ??= alias[1];
  }
  if (arch === 'arm64' && variant === 'v8') variant = undefined;
  if (arch === 'arm' && variant === undefined) variant = 'v7';
  const platform: Platform = { os, architecture: arch };
  if (variant) platform.variant = variant;
  return platform;
}

/** The platform of this machine. */
export function hostPlatform(): Platform {
  const architecture = hostArchitecture();
  return architecture === 'arm' ? { os: 'linux', architecture, variant: 'v7' } : { os: 'linux', architecture };
}
