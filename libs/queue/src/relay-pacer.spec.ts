import { RelayPacer } from './relay-pacer';

describe('RelayPacer', () => {
  it('starts a lone batch at once, then holds the next one until gatherMs after it began', () => {
    const pacer = new RelayPacer(25, 500);
    expect(pacer.claim(1000)).toBe(0);
    pacer.done(2);
    // A nudge 5 ms later: the rows committed meanwhile wait for the rest of the interval.
    expect(pacer.claim(1005)).toBe(20);
    expect(pacer.claim(1024)).toBe(1);
    expect(pacer.claim(1025)).toBe(0);
    pacer.done(6);
    expect(pacer.claim(1030)).toBe(20);
  });

  it('gives one slot to one loop: the other waits for the next interval', () => {
    const pacer = new RelayPacer(25, 500);
    expect(pacer.claim(0)).toBe(0);
    pacer.done(1);
    expect(pacer.claim(25)).toBe(0); // loop A takes the slot
    expect(pacer.claim(25)).toBe(25); // loop B, woken at the same moment, waits
  });

  it('relays a lone submission at once after a quiet period', () => {
    const pacer = new RelayPacer(25, 500);
    expect(pacer.claim(0)).toBe(0);
    pacer.done(0);
    expect(pacer.claim(10_000)).toBe(0);
  });

  it('does not hold back a backlog: after a full batch every loop starts at once', () => {
    const pacer = new RelayPacer(25, 500);
    expect(pacer.claim(0)).toBe(0);
    pacer.done(500);
    expect(pacer.claim(1)).toBe(0);
    expect(pacer.claim(1)).toBe(0);
    pacer.done(499); // the backlog is drained: paced again, from the last batch's start
    expect(pacer.claim(2)).toBe(24);
    expect(pacer.claim(26)).toBe(0);
  });
});
