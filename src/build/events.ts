/**
 * Progress events of a build, on Node's typed `EventEmitter<BuildEvents>`. The CLI renders them like
 * `docker build`; SDK users can subscribe to the same events.
 *
 * @module
 */
import { EventEmitter } from 'node:events';

/** A step as the progress output names it. */
export interface StepInfo {
  /** Stage name or index (`builder`, `0`); for fluent builds `build`. */
  stage: string;
  /** 1-based step number across the whole build, and the total. */
  index: number;
  total: number;
  /** The instruction as written (`COPY . /app`). */
  instruction: string;
  /** `Dockerfile:12`, or `step 3` for fluent builds. */
  location: string;
  /** Target platform, for multi-platform builds. */
  platform?: string;
}

/** Event names and payloads. */
export interface BuildEvents {
  /** A step starts. */
  step: [StepInfo];
  /** A step ended; `cached` when the build cache supplied its result. */
  'step-done': [StepInfo & { cached: boolean; durationMs: number }];
  /** Output of a RUN command (stdout and stderr interleaved as they arrive). */
  output: [StepInfo & { chunk: Buffer }];
  /** A warning (unused build args, deprecated forms). */
  warning: [string];
  /** Something was pulled from a registry for FROM or COPY --from. */
  pull: [{ reference: string; digest: string }];
}

/** The emitter type builds report on. */
export type BuildEmitter = EventEmitter<BuildEvents>;

/** A new build emitter. */
export function createBuildEmitter(): BuildEmitter {
  return new EventEmitter<BuildEvents>();
}
