import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the calling thread's CPU priority to the nice value `nice` (WORKER_NICE); threads it
 * starts afterwards (the SMTP thread, libuv's pool) inherit it. Where the API and the worker
 * share cores, the API then answers submissions first and the worker's follow-up work (receipts,
 * review fan-outs, emails) takes the CPU left over instead of slowing intake (issue 7); alone on
 * a machine the worker runs as fast as before. A priority already lower (set by the supervisor)
 * is kept. Returns the nice value in force; on failure calls `onError` and keeps the current one.
 */
export function lowerCpuPriority(
  nice: number,
  onError: (error: unknown) => void,
  os: { getPriority(): number; setPriority(priority: number): void } = {
    getPriority: () => getPriority(),
    setPriority: (priority) => setPriority(priority),
  },
): number {
  const current = os.getPriority();
  if (nice <= current) return current;
  try {
    os.setPriority(nice);
    return nice;
  } catch (error) {
    onError(error);
    return current;
  }
}
