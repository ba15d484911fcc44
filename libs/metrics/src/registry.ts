import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A registry of this process's own (never prom-client's global one: the tests run the API and
 * the worker in one process), with Node's default metrics: CPU, memory, event loop, GC.
 */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Job durations cover a mail send (tens of ms) up to a zone re-check of many batches. */
export const JOB_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** HTTP latencies: the targets are a few ms to 30 ms; slow exports take seconds. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
