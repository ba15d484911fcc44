import { lowerCpuPriority } from './cpu-priority';

describe('lowerCpuPriority (WORKER_NICE)', () => {
  const fakeOs = (initial: number, fails = false) => {
    const os = {
      nice: initial,
      getPriority: () => os.nice,
      setPriority: (priority: number) => {
        if (fails) throw new Error('EACCES');
        os.nice = priority;
      },
    };
    return os;
  };

  it('lowers the priority to the configured nice value', () => {
    const os = fakeOs(0);
    expect(lowerCpuPriority(10, () => undefined, os)).toBe(10);
    expect(os.nice).toBe(10);
  });

  it('keeps a priority the supervisor already lowered further, and never raises one', () => {
    const os = fakeOs(15);
    expect(lowerCpuPriority(10, () => undefined, os)).toBe(15);
    expect(os.nice).toBe(15);
    expect(lowerCpuPriority(0, () => undefined, fakeOs(5))).toBe(5);
  });

  it('reports a refusal and carries on at the current priority', () => {
    const errors: unknown[] = [];
    expect(lowerCpuPriority(10, (error) => errors.push(error), fakeOs(0, true))).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
