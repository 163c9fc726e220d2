/**
 * The list of CLI commands, in the order `oci-kit --help` shows them. Each lives in its own file.
 *
 * @module
 */
import type { Command } from '../command.js';
import { runCommand } from './run.js';
import { imagesCommand } from './images.js';
import { tagCommand } from './tag.js';
import { rmCommand } from './rm.js';
import { pruneCommand } from './prune.js';
import { inspectCommand } from './inspect.js';
import { historyCommand } from './history.js';
import { manifestCommand } from './manifest.js';
import { configCommand } from './config.js';
import { digestCommand } from './digest.js';
import { loadCommand } from './load.js';
import { saveCommand } from './save.js';
import { importCommand } from './import.js';
import { exportCommand } from './export.js';
import { appendCommand } from './append.js';
import { mutateCommand } from './mutate.js';
import { flattenCommand } from './flatten.js';
import { rebaseCommand } from './rebase.js';
import { indexCommand } from './index-cmd.js';
import { lintCommand } from './lint.js';
import { buildCommand } from './build.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { copyCommand } from './copy.js';
import { tagsCommand } from './tags.js';
import { catalogCommand } from './catalog.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { registryCommand } from './registry.js';

export const commands: Command[] = [buildCommand, imagesCommand, tagCommand, rmCommand, pruneCommand, inspectCommand, historyCommand, manifestCommand, configCommand, digestCommand, saveCommand, loadCommand, importCommand, exportCommand, appendCommand, mutateCommand, flattenCommand, rebaseCommand, indexCommand, runCommand, lintCommand, pullCommand, pushCommand, copyCommand, tagsCommand, catalogCommand, loginCommand, logoutCommand, registryCommand];
