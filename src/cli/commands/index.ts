/**
 * The list of CLI commands, in the order `oci-kit --help` shows them. Each lives in its own file.
 *
 * @module
 */
import type { Command } from '../command.js';

export const commands: Command[] = [];
