import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100;
const PAGE = 4096;

/** CPU time (µs) a process has used, all threads. */
export function cpuMicros(pid: number): number {
  // Per-thread scheduler time (ns resolution); /proc/<pid>/stat's utime+stime only counts 10 ms ticks.
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread ended
      }
    }
    return ns / 1000;
  } catch {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
  }
}

/** Resident memory in bytes. */
export function rssBytes(pid: number): number {
  const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return Number(statm[1]) * PAGE;
}

/** Direct children of a process (e.g. the mediasoup workers of a Parley server). */
export function childPids(pid: number, commContains?: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && (!commContains || comm.includes(commContains))) out.push(Number(d));
    } catch {
      // process went away
    }
  }
  return out;
}

/** A CPU meter over a set of processes: start(), then read µs used since. */
export class CpuMeter {
  readonly #pids: number[];
  #start = 0;
  #wallStart = 0;

  constructor(pids: number[]) {
    this.#pids = pids;
  }

  start(): void {
    this.#start = this.#total();
    this.#wallStart = performance.now();
  }

  /** CPU µs used since start() and the share of one core it was (1 = one full core). */
  read(): { cpuUs: number; cores: number; wallMs: number } {
    const cpuUs = this.#total() - this.#start;
    const wallMs = performance.now() - this.#wallStart;
    return { cpuUs, cores: cpuUs / (wallMs * 1000), wallMs };
  }

  #total(): number {
    return this.#pids.reduce((n, pid) => n + cpuMicros(pid), 0);
  }
}
