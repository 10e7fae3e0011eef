// Live updates: pages register refresh functions that run on a short poll while the page is shown
// (paused while the tab is hidden) and right after the clock is advanced or an action completes.
let jobs = [];
let generation = 0;

/** Start a fresh page: forget the previous page's refreshers. */
export function resetLive() {
  generation += 1;
  for (const job of jobs) clearInterval(job.timer);
  jobs = [];
  return generation;
}

/** Run `refresh` now and every `ms` while this page is shown; errors are shown by the refresher itself. */
export function live(refresh, ms = 2000) {
  const mine = generation;
  let running = false;
  const run = async () => {
    if (mine !== generation || running || document.hidden) return;
    running = true;
    try { await refresh(); } catch (error) { console.warn("refresh failed", error); } finally { running = false; }
  };
  const job = { run, timer: setInterval(run, ms) };
  jobs.push(job);
  run();
  return run;
}

/** Refresh everything on the current page now (after an action or a clock advance). */
export function refreshAll() {
  for (const job of jobs) job.run();
}

document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshAll(); });
