/*
 * Preloaded (node --require) into the API and the worker when the benchmark profiles them: the
 * services re-raise SIGTERM after their shutdown hooks, which kills them before `--cpu-prof`
 * writes its profile; SIGUSR2 ends them with a normal exit, so the profile is written.
 */
process.on('SIGUSR2', () => process.exit(0));
