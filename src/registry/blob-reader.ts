/**
 * A blob download as one Node `Readable` over one or more HTTP responses: bytes are pushed as they
 * arrive (no per-chunk promise on the data path), with backpressure, and a connection that breaks
 * midway is resumed with `Range: bytes=N-` (distribution-spec "Pulling blobs": registries may
 * support range requests), or by skipping what was already read when the server answers 200.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { REGISTRY_ERROR_CODES, RegistryError } from './errors.js';
import { isTransientNetworkError, safeUrl, type HttpResponse } from './transport.js';

/** What the reader needs from the client. */
export interface BlobReaderSource {
  /** Sends the GET, with `Range` when `offset` > 0. */
  fetch(offset: number): Promise<HttpResponse>;
  /** Turns a non-2xx answer into the typed error (reads its body). */
  fail(res: HttpResponse): Promise<never>;
  /** Delay before retry `attempt`, or undefined when no more retries are allowed. */
  retryDelay(attempt: number, reason: string, url: string): number | undefined;
  onProgress(received: number): void;
  onDone(received: number): void;
  what: string;
  size: number | undefined;
  signal: AbortSignal | undefined;
}

/** Streams a blob, resuming on transient failures. */
export class BlobReader extends Readable {
  private received = 0;
  private failures = 0;
  private response: IncomingMessage | undefined;
  private starting = false;
  private finished = false;

  constructor(private readonly source: BlobReaderSource) {
    // Object mode hands each response chunk on as it is: a byte-mode Readable read by an async
    // iterator (the stores' put) concatenates everything buffered into a new Buffer on each read,
    // one more copy of the whole blob. 16 chunks of ~64 KiB keep about 1 MiB buffered.
    super({ objectMode: true, highWaterMark: 16 });
  }

  override _read(): void {
    if (this.response) this.response.resume();
    else if (!this.starting && !this.finished) void this.connect();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.finished = true;
    this.response?.destroy();
    callback(err);
  }

  private async connect(): Promise<void> {
    this.starting = true;
    let res: HttpResponse;
    try {
      res = await this.source.fetch(this.received);
      let skip = 0;
      if (res.status === 206 && this.received > 0) {
        const range = /bytes\s+(\d+)-/.exec(String(res.headers['content-range'] ?? ''));
        if (Number(range?.[1]) !== this.received) {
          res.body.destroy();
          throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${this.source.what}: asked for bytes from ${this.received}, got ${String(res.headers['content-range'])}`);
        }
      } else if (res.status === 200) {
        skip = this.received;
      } else {
        await this.source.fail(res);
      }
      this.starting = false;
      if (this.destroyed) {
        res.body.destroy();
        return;
      }
      this.attach(res, skip);
    } catch (err) {
      this.starting = false;
      this.retryOrFail(err, undefined);
    }
  }

  private attach(res: HttpResponse, skip: number): void {
    const body = res.body;
    this.response = body;
    let left = skip;
    let failed = false;
    body.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (left > 0) {
        if (data.byteLength <= left) {
          left -= data.byteLength;
          return;
        }
        data = data.subarray(left);
        left = 0;
      }
      this.received += data.byteLength;
      this.source.onProgress(this.received);
      if (!this.push(data)) body.pause();
    });
    const broken = (err: unknown) => {
      if (failed || this.finished) return;
      failed = true;
      this.response = undefined;
      body.destroy();
      this.retryOrFail(err, res);
    };
    body.on('error', broken);
    body.on('aborted', () => broken(new RegistryError(REGISTRY_ERROR_CODES.network, `${this.source.what}: connection aborted`)));
    body.on('end', () => {
      if (failed || this.finished) return;
      this.response = undefined;
      const size = this.source.size;
      if (size !== undefined && this.received < size && !body.complete) {
        broken(new RegistryError(REGISTRY_ERROR_CODES.network, `${this.source.what}: connection closed after ${this.received} of ${size} bytes`));
        return;
      }
      this.finished = true;
      this.source.onDone(this.received);
      this.push(null);
    });
  }

  private retryOrFail(err: unknown, res: HttpResponse | undefined): void {
    if (this.finished) return;
    this.failures++;
    const transient = !this.source.signal?.aborted && isTransientNetworkError(err);
    const delay = transient
      ? this.source.retryDelay(this.failures, `${(err as Error).message} after ${this.received} bytes`, res ? safeUrl(res.url) : this.source.what)
      : undefined;
    if (delay === undefined) {
      this.destroy(err as Error);
      return;
    }
    this.starting = true;
    const timer = setTimeout(() => {
      this.source.signal?.removeEventListener('abort', onAbort);
      void this.connect();
    }, delay);
    const onAbort = () => {
      clearTimeout(timer);
      this.destroy(this.source.signal?.reason as Error);
    };
    this.source.signal?.addEventListener('abort', onAbort, { once: true });
  }
}
