/**
 * Fault injection for the {@link TestRegistry}: rules that make chosen requests fail, so retry,
 * resume and error paths of a client can be tested deterministically (no timing involved).
 *
 * @module
 */

/** Which requests a fault applies to. Unset fields match everything. */
export interface FaultMatch {
  /** HTTP method, e.g. `GET`, `PATCH`. */
  method?: string;
  /** A substring of, or a pattern for, the request path (query string included). */
  path?: string | RegExp;
}

/** What happens to a matching request. */
export type FaultAction =
  /** Answer with this status (and a spec error body); `retryAfter` sets `Retry-After` in seconds. */
  | { type: 'status'; status: number; retryAfter?: number }
  /** Close the connection without answering. */
  | { type: 'drop' }
  /**
   * Blob GET: send the headers and the first `afterBytes` bytes, then close the connection.
   * Uploads (PATCH/PUT): read `afterBytes` bytes of the body, keep them, then close the connection.
   */
  | { type: 'drop-mid-body'; afterBytes: number }
  /** Blob GET: flip one byte of the content (the client must catch it by digest). */
  | { type: 'corrupt' };

/** A fault rule. */
export interface Fault {
  match?: FaultMatch;
  action: FaultAction;
  /** Let this many matching requests through first: `skip: 2` fails the 3rd (default 0). */
  skip?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/** A fault rule with its counters. */
export interface ActiveFault extends Fault {
  seen: number;
  fired: number;
}

/** True when the request matches the rule's method and path. */
export function faultMatches(fault: Fault, method: string, path: string): boolean {
  const m = fault.match;
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path);
}

/**
 * Picks the fault for this request, if any, updating counters. Each rule counts the requests it
 * matches and fires on those after `skip`, `times` times.
 */
export function takeFault(faults: ActiveFault[], method: string, path: string): FaultAction | undefined {
  let chosen: FaultAction | undefined;
  for (const fault of faults) {
    if (!faultMatches(fault, method, path)) continue;
    fault.seen++;
    if (chosen === undefined && fault.seen > (fault.skip ?? 0) && fault.fired < (fault.times ?? 1)) {
      fault.fired++;
      chosen = fault.action;
    }
  }
  return chosen;
}
