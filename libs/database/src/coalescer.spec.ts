import { Coalescer, Semaphore } from './coalescer';

const dataError = Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' });

/** A coalescer over numbers whose operations are recorded and answered on demand. */
function recorder(options: { max?: number; concurrency?: number } = {}) {
  const operations: { items: number[]; finish: (error?: unknown) => void }[] = [];
  const coalescer = new Coalescer<number, number>(
    (items) =>
      new Promise((resolve, reject) => {
        operations.push({
          items,
          finish: (error) => (error ? reject(error) : resolve(items.map((i) => i * 10))),
        });
      }),
    {
      max: options.max ?? 100,
      key: (item) => String(item % 100),
      retryOneByOne: (error) => (error as { code?: string }).code === '22P02',
      concurrency: options.concurrency,
    },
  );
  return { coalescer, operations };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('runs the calls of one turn as one operation, and those made meanwhile as the next', async () => {
    const { coalescer, operations } = recorder();
    const first = [1, 2, 3].map((i) => coalescer.call(i));
    await turn();
    expect(operations.map((o) => o.items)).toEqual([[1, 2, 3]]);
    const later = [4, 5].map((i) => coalescer.call(i));
    await turn();
    expect(operations).toHaveLength(1); // waits for the running one
    operations[0].finish();
    expect(await Promise.all(first)).toEqual([10, 20, 30]);
    await turn();
    expect(operations[1].items).toEqual([4, 5]);
    operations[1].finish();
    expect(await Promise.all(later)).toEqual([40, 50]);
  });

  it('never puts one key twice in an operation, nor more than max items', async () => {
    const { coalescer, operations } = recorder({ max: 2 });
    const calls = [1, 101, 2, 3].map((i) => coalescer.call(i));
    await turn();
    expect(operations[0].items).toEqual([1, 2]);
    operations[0].finish();
    await turn();
    expect(operations[1].items).toEqual([101, 3]);
    operations[1].finish();
    expect(await Promise.all(calls)).toEqual([10, 1010, 20, 30]);
  });

  it('with concurrency 2, a call made while one operation runs starts another at once', async () => {
    const { coalescer, operations } = recorder({ concurrency: 2 });
    const first = coalescer.call(1);
    await turn();
    const second = coalescer.call(2);
    await turn();
    expect(operations.map((o) => o.items)).toEqual([[1], [2]]);
    operations.forEach((o) => o.finish());
    expect(await Promise.all([first, second])).toEqual([10, 20]);
  });

  it('runs each item alone after a data error, so that the bad one fails alone', async () => {
    const { coalescer, operations } = recorder();
    const settled = Promise.allSettled([1, 2, 3].map((i) => coalescer.call(i)));
    await turn();
    operations[0].finish(dataError);
    for (let i = 1; i <= 3; i += 1) {
      while (operations.length <= i) await turn();
      operations[i].finish(operations[i].items[0] === 2 ? dataError : undefined);
    }
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails every call of an operation with any other error (the database is away)', async () => {
    const { coalescer, operations } = recorder();
    const settled = Promise.allSettled([1, 2].map((i) => coalescer.call(i)));
    await turn();
    operations[0].finish(new Error('Connection terminated'));
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(operations).toHaveLength(1);
  });
});

describe('Semaphore', () => {
  it('holds at most its size, hands places over in order, and lets an aborted waiter go', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const order: string[] = [];
    const stop = new AbortController();
    const a = semaphore.acquire(stop.signal).then(
      () => order.push('a'),
      () => order.push('a aborted'),
    );
    const b = semaphore.acquire().then(() => order.push('b'));
    stop.abort();
    await a;
    semaphore.release();
    await b;
    expect(order).toEqual(['a aborted', 'b']);
    semaphore.release();
    await semaphore.acquire(); // free again
  });

  it('hands the next place to those that go first, in their order, then to the others', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const order: string[] = [];
    const waiting = [
      semaphore.acquire().then(() => order.push('routine 1')),
      semaphore.acquire().then(() => order.push('routine 2')),
      semaphore.acquire(undefined, true).then(() => order.push('urgent 1')),
      semaphore.acquire(undefined, true).then(() => order.push('urgent 2')),
    ];
    for (let i = 0; i < waiting.length; i += 1) {
      semaphore.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waiting);
    expect(order).toEqual(['urgent 1', 'urgent 2', 'routine 1', 'routine 2']);
  });

  it('lets a waiter that goes first and is aborted go, holding nothing', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const stop = new AbortController();
    const urgent = semaphore.acquire(stop.signal, true);
    const routine = semaphore.acquire();
    stop.abort(new Error('stopping'));
    await expect(urgent).rejects.toThrow('stopping');
    semaphore.release();
    await routine;
    semaphore.release();
    await semaphore.acquire(); // free again
  });
});
