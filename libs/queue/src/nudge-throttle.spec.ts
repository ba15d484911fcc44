import { NudgeThrottle } from './nudge-throttle';

describe('NudgeThrottle', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A send that records when it started and finishes when `finish` is called. */
  function recorder() {
    const sends: number[] = [];
    const pending: (() => void)[] = [];
    const send = () =>
      new Promise<void>((resolve) => {
        sends.push(Date.now());
        pending.push(resolve);
      });
    const finish = async () => {
      pending.shift()?.();
      await jest.advanceTimersByTimeAsync(0);
    };
    return { sends, send, finish };
  }

  it('sends a lone trigger at once', async () => {
    const r = recorder();
    const throttle = new NudgeThrottle(20, r.send);
    throttle.trigger();
    expect(r.sends).toEqual([1_000_000]);
    await r.finish();
    // A quiet period later: at once again.
    await jest.advanceTimersByTimeAsync(100);
    throttle.trigger();
    expect(r.sends).toEqual([1_000_000, 1_000_100]);
  });

  it('folds a stream of triggers into one send per interval, each begun after the triggers it covers', async () => {
    const r = recorder();
    const throttle = new NudgeThrottle(20, r.send);
    throttle.trigger(); // t = 0: sent at once
    await r.finish();
    // Ten triggers over the next 10 ms: one send, 20 ms after the first.
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(1);
      throttle.trigger();
    }
    expect(r.sends).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(9);
    expect(r.sends).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(r.sends).toEqual([1_000_000, 1_000_020]);
    await r.finish();
    // Nothing more was triggered: nothing more is sent.
    await jest.advanceTimersByTimeAsync(100);
    expect(r.sends).toHaveLength(2);
  });

  it('sends again after a send during which a trigger came, never two at a time', async () => {
    const r = recorder();
    const throttle = new NudgeThrottle(20, r.send);
    throttle.trigger();
    await jest.advanceTimersByTimeAsync(50); // the send is slow
    throttle.trigger(); // its commit may have come after the send began: must be covered
    expect(r.sends).toHaveLength(1);
    await r.finish(); // 50 ms after the first send began: the next starts at once
    expect(r.sends).toEqual([1_000_000, 1_000_050]);
  });
});
