import { WorkPriority } from './work-priority';

const QUIET = 100;
const MAX = 5_000;

/** A piece of urgent work that ends when told to. */
function urgentWork(priority: WorkPriority) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = priority.urgent(
    () =>
      new Promise<string>((resolve, reject) => {
        finish = () => resolve('done');
        fail = reject;
      }),
  );
  return { done, finish: () => finish(), fail: (error: Error) => fail(error) };
}

/** Whether `promise` has settled, once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let state = false;
  void promise.then(
    () => (state = true),
    () => (state = true),
  );
  await jest.advanceTimersByTimeAsync(0);
  return state;
}

describe('WorkPriority: deferrable jobs wait for urgent ones, a bounded time', () => {
  let priority: WorkPriority;
  beforeEach(() => {
    jest.useFakeTimers();
    priority = new WorkPriority(QUIET, MAX, () => Date.now());
  });
  afterEach(() => {
    priority.stop();
    jest.useRealTimers();
  });

  it('lets deferrable work go at once when no urgent work runs', async () => {
    await expect(priority.deferrable()).resolves.toBe(0);
  });

  it('holds deferrable work while urgent work runs and for the quiet time after it', async () => {
    const fanOut = urgentWork(priority);
    const receipt = priority.deferrable();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await settled(receipt)).toBe(false);

    fanOut.finish();
    await expect(fanOut.done).resolves.toBe('done');
    await jest.advanceTimersByTimeAsync(QUIET - 1);
    expect(await settled(receipt)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(receipt)).toBe(true);
    expect(await receipt).toBe(1_000 + QUIET);
    // Once quiet, later deferrable work does not wait.
    await expect(priority.deferrable()).resolves.toBe(0);
  });

  it('keeps waiting while urgent jobs follow one another within the quiet time', async () => {
    let current = urgentWork(priority);
    const receipt = priority.deferrable();
    for (let i = 0; i < 5; i++) {
      current.finish();
      await current.done;
      await jest.advanceTimersByTimeAsync(QUIET / 2);
      current = urgentWork(priority);
    }
    expect(await settled(receipt)).toBe(false);
    current.finish();
    await current.done;
    await jest.advanceTimersByTimeAsync(QUIET);
    expect(await settled(receipt)).toBe(true);
  });

  it('lets deferrable work go after the longest deferral even if urgent work never stops', async () => {
    const endless = urgentWork(priority);
    const receipt = priority.deferrable();
    await jest.advanceTimersByTimeAsync(MAX - 1);
    expect(await settled(receipt)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await receipt).toBe(MAX);
    endless.finish();
  });

  it('counts urgent work that fails as ended', async () => {
    const failing = urgentWork(priority);
    const receipt = priority.deferrable();
    failing.fail(new Error('database unavailable'));
    await expect(failing.done).rejects.toThrow('database unavailable');
    await jest.advanceTimersByTimeAsync(QUIET);
    expect(await settled(receipt)).toBe(true);
  });

  it('releases every waiting job when the worker stops, and holds none after', async () => {
    const fanOut = urgentWork(priority);
    const waiting = [priority.deferrable(), priority.deferrable()];
    priority.stop();
    expect(await settled(Promise.all(waiting))).toBe(true);
    await expect(priority.deferrable()).resolves.toBe(0);
    fanOut.finish();
  });
});
