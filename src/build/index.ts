/**
 * Building images: the fluent {@link ImageBuilder}, the Dockerfile engine
 * ({@link buildDockerfile}), the build cache, `.dockerignore` matching, progress events, and the
 * RUN executors (bubblewrap / unshare sandboxes).
 *
 * @module
 */
export { ImageBuilder, type AddOptions, type BuilderBuildOptions, type CopyOptions, type HealthcheckOptions, type RunOptions } from './builder.js';
export { buildDockerfile, type DockerfileBuildOptions } from './dockerfile-build.js';
export { Image, writeImage, writeIndex } from './image.js';
export { createBuildEmitter, type BuildEmitter, type BuildEvents, type StepInfo } from './events.js';
export { cacheForStore, DirectoryBuildCache, MemoryBuildCache, LAYOUT_CACHE_DIR, type BuildCache, type CacheRecord } from './cache.js';
export { IgnoreMatcher, parseIgnoreFile, readIgnoreFile } from './dockerignore.js';
export { BuildError, BuildStepError, ContextEscapeError, SourceNotFoundError } from './errors.js';
export * from './executor/index.js';
