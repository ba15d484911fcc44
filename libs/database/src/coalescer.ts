/**
 * Runs the calls made close together as one set-based operation (one SQL statement for many
 * emails instead of one each, issue 7). The calls of one turn of the event loop, and those made
 * while an operation is running, go together into the next one, up to `max`; a call never waits
 * for a timer. Two calls with the same key never share an operation (a statement cannot claim
 * one row twice): the later one waits for the next.
 *
 * If an operation on several items fails and `retryOneByOne(error)` says so (an error in the
 * data of one item rather than an unreachable database), each item is run again alone, so that
 * one bad item fails alone.
 */
export class Coalescer<I, O> {
  private pending: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] =
    [];
  /** Operations running (drain loops), at most `concurrency`. */
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: {
      max: number;
      key: (item: I) => string;
      retryOneByOne: (error: unknown) => boolean;
      /** Operations at once (default 1): a call need not wait for the one running to end. */
      concurrency?: number;
    },
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.running >= (this.options.concurrency ?? 1)) return;
      this.running += 1;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const calls = this.take();
        try {
          const results = await this.run(calls.map((call) => call.item));
          calls.forEach((call, i) => call.resolve(results[i]));
        } catch (error) {
          if (calls.length === 1 || !this.options.retryOneByOne(error)) {
            for (const call of calls) call.reject(error);
            continue;
          }
          for (const call of calls) {
            try {
              call.resolve((await this.run([call.item]))[0]);
            } catch (itemError) {
              call.reject(itemError);
            }
          }
        }
      }
    } finally {
      this.running -= 1;
    }
  }

  /** The next operation's calls, in order: at most `max`, no key twice. */
  private take() {
    const taken: typeof this.pending = [];
    const left: typeof this.pending = [];
    const keys = new Set<string>();
    for (const call of this.pending) {
      const key = this.options.key(call.item);
      if (taken.length < this.options.max && !keys.has(key)) {
        keys.add(key);
        taken.push(call);
      } else left.push(call);
    }
    this.pending = left;
    return taken;
  }
}

/**
 * At most `size` holders at once; the others wait in order, those that asked to go first
 * (`first`) ahead of the rest, in their own order.
 */
export class Semaphore {
  private held = 0;
  /** Waiters that go first, then the others. */
  private readonly lanes: [Waiter[], Waiter[]] = [[], []];

  constructor(readonly size: number) {}

  /**
   * Resolves when a place is free; the caller must call release() once. Rejects with the
   * signal's reason, holding nothing, if the signal is aborted first. A waiter that goes
   * `first` gets the next place freed unless others that go first were waiting before it.
   */
  acquire(signal?: AbortSignal, first = false): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.held < this.size) {
      this.held += 1;
      return Promise.resolve();
    }
    const lane = this.lanes[first ? 0 : 1];
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', waiter.abort);
          resolve();
        },
        abort: () => {
          const index = lane.indexOf(waiter);
          if (index >= 0) lane.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.abort, { once: true });
      lane.push(waiter);
    });
  }

  /** Hands the place to the next waiter, if any. */
  release(): void {
    const next = this.lanes[0].shift() ?? this.lanes[1].shift();
    if (next) next.grant();
    else this.held -= 1;
  }
}

interface Waiter {
  grant: () => void;
  abort: () => void;
}
