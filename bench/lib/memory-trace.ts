/*
 * Diagnostics, preloaded with BENCH_WORKER_NODE_OPTIONS="--require dist/bench/lib/memory-trace.js":
 * prints process.memoryUsage() every second to stderr (so to var/bench/<name>.log), to tell the
 * V8 heap from Buffers and native memory when the resident size grows.
 */
const mb = (n: number) => (n / 2 ** 20).toFixed(0);
setInterval(() => {
  const m = process.memoryUsage();
  process.stderr.write(
    `[memory] rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} ` +
      `external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} MB\n`,
  );
}, 1000).unref();
