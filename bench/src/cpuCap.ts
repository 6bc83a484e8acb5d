import { accessSync, constants, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';

/** Where cgroup v1 mounts the cpu controller. */
const ROOT = '/sys/fs/cgroup/cpu';
const PREFIX = 'parley-bench-';

/** CFS bandwidth counters of a cgroup (cpu.stat). */
export interface ThrottleStat {
  periods: number;
  throttled: number;
  throttledUs: number;
}

const open = new Set<CpuCap>();
process.once('exit', () => {
  for (const c of open) c.close();
});

/** Blocks the thread: close() also runs from the process's exit handler, where nothing async runs. */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A cgroup v1 cpu cgroup that holds processes to a share of one core (CFS bandwidth control: a
 * quota of CPU time per period, shared by all their threads). close() moves them back to the
 * cgroup they came from and removes it; it also runs if the bench exits early.
 */
export class CpuCap {
  readonly dir: string;
  readonly share: number;
  readonly periodUs: number;
  readonly quotaUs: number;
  /** pid -> the cgroup.procs file of the cgroup it came from. */
  readonly #origins = new Map<number, string>();
  #closed = false;

  private constructor(dir: string, share: number, periodUs: number, quotaUs: number) {
    this.dir = dir;
    this.share = share;
    this.periodUs = periodUs;
    this.quotaUs = quotaUs;
  }

  /** True when cgroup v1's cpu controller is mounted with CFS bandwidth control and writable (root). */
  static available(): boolean {
    try {
      accessSync(`${ROOT}/cpu.cfs_quota_us`, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * share: fraction of one core (0.1 = 10%). The period is the shortest the kernel allows for it
   * (quota >= 1 ms): a throttled process sleeps the rest of each period, and a short sleep keeps
   * what queues up at its sockets meanwhile small.
   */
  static create(share: number): CpuCap {
    removeStale();
    const quotaUs = 1000;
    const periodUs = Math.round(quotaUs / share);
    if (periodUs > 1_000_000 || periodUs < quotaUs) throw new Error(`cannot cap at ${share} of a core`);
    const dir = `${ROOT}/${PREFIX}${process.pid}`;
    mkdirSync(dir);
    const cap = new CpuCap(dir, share, periodUs, quotaUs);
    open.add(cap);
    writeFileSync(`${dir}/cpu.cfs_period_us`, String(periodUs));
    // Ten times a nice-0 process's weight: on a shared machine the worker gets its quota as soon as it
    // wants it, so the quota (not the neighbours' load) is what limits it; it can never take more.
    writeFileSync(`${dir}/cpu.shares`, '10240');
    cap.apply();
    return cap;
  }

  /** Moves a process, all its threads, into the cgroup. */
  add(pid: number): void {
    this.#origins.set(pid, `${originOf(pid)}/cgroup.procs`);
    writeFileSync(`${this.dir}/cgroup.procs`, String(pid));
  }

  /** Enforces the quota. */
  apply(): void {
    writeFileSync(`${this.dir}/cpu.cfs_quota_us`, String(this.quotaUs));
  }

  /** Removes the quota (the processes stay in the cgroup). */
  lift(): void {
    writeFileSync(`${this.dir}/cpu.cfs_quota_us`, '-1');
  }

  stat(): ThrottleStat {
    const kv = new Map(readFileSync(`${this.dir}/cpu.stat`, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]));
    return { periods: Number(kv.get('nr_periods')), throttled: Number(kv.get('nr_throttled')), throttledUs: Number(kv.get('throttled_time')) / 1000 };
  }

  /** Safe to repeat. Synchronous, so it can run in an exit handler. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    open.delete(this);
    for (const [pid, procs] of this.#origins) {
      try {
        writeFileSync(procs, String(pid));
      } catch {
        // the process has exited
      }
    }
    removeCgroup(this.dir);
  }
}

/** The cpu cgroup directory a process is in now (from /proc/<pid>/cgroup). */
function originOf(pid: number): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes('cpu')) return `${ROOT}${path === '/' ? '' : path}`;
  }
  return ROOT;
}

/** rmdir fails while a task is in the cgroup: anything left (e.g. a worker that was still exiting) goes to the root. */
function removeCgroup(dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      if (attempt >= 20) {
        console.error(`[bench] could not remove ${dir}: ${(err as Error).message}`);
        return;
      }
      try {
        for (const pid of readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) writeFileSync(`${ROOT}/cgroup.procs`, pid);
      } catch {
        // raced with the task's exit
      }
      sleepSync(50);
    }
  }
}

/** Cgroups left by a bench that was killed (its pid is gone). */
function removeStale(): void {
  for (const name of readdirSync(ROOT)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    try {
      process.kill(pid, 0);
    } catch {
      removeCgroup(`${ROOT}/${name}`);
    }
  }
}
