// npm forwards SIGTERM and SIGINT to the script it runs, but not SIGHUP, and a SIGKILLed npm
// forwards nothing: the bot would carry on reparented to pid 1, still polling and sending.
// Watching the parent closes that gap: once it is gone, the bot gets SIGHUP (its parent hung up)
// and stops as on SIGTERM. A terminal's hang-up that reached the bot too is the same request.

/** How often the parent is looked at: a stop is noticed within this (plus the stop timeout). */
const INTERVAL_MS = 500;

/** Sends this process SIGHUP (once) when its parent process has gone. */
export function watchParent() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGHUP');
  }, INTERVAL_MS);
  timer.unref();
}
