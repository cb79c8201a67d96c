// /proc sampling for the benchmark: CPU time, RSS (polled, and the kernel's peak, reset per section),
// open-file limits. Linux only.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ; 100 on all mainstream Linux builds

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** utime+stime of a process in ms (includes all its threads). */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // rest[0] is field 3 (state)
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Current resident set of a process in MiB. */
export function rssMiB(pid: number): number | null {
  const kib = statusKiB(pid, 'VmRSS');
  return kib === null ? null : kib / 1024;
}

/** The soft and hard RLIMIT_NOFILE of a process. */
export function openFileLimit(pid: number): { soft: number; hard: number } | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    if (!m) return null;
    const n = (v: string | undefined): number => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: n(m[1]), hard: n(m[2]) };
  } catch {
    return null;
  }
}

/** File descriptors a process has open. */
export function openFds(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export interface RssPeak {
  /** max VmRSS seen by polling every intervalMs */
  polledMiB: number;
  /** VmHWM (the kernel's peak) over the section; 0 when it could not be reset, so it would be a lifetime peak */
  hwmMiB: number;
  /** max of both */
  peakMiB: number;
}

/**
 * Peak RSS of a few processes, over the whole run and per section (one bench step). The kernel's peak
 * (VmHWM) is reset at each section by writing 5 to /proc/<pid>/clear_refs, so a short spike between two
 * polls is still seen; where that write is refused, a section's peak is the polled one only.
 */
export class RssMonitor {
  private readonly sectionKiB = new Map<string, number>();
  private readonly overall = new Map<string, RssPeak>();
  private readonly hwmResets = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Record<string, number>, private readonly intervalMs = 200) {}

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const kib = statusKiB(pid, 'VmRSS');
      if (kib !== null) this.sectionKiB.set(name, Math.max(kib, this.sectionKiB.get(name) ?? 0));
    }
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** The peaks since the previous section (or start), folded into the overall peaks; starts the next section. */
  section(): Record<string, RssPeak> {
    this.sample();
    const out: Record<string, RssPeak> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const peak = this.sectionPeak(name, pid);
      out[name] = peak;
      const all = this.overall.get(name);
      this.overall.set(name, all ? maxPeak(all, peak) : peak);
      this.hwmResets.set(name, resetHwm(pid));
      this.sectionKiB.delete(name);
    }
    this.sample();
    return out;
  }

  /** The overall peaks so far, the current section included (monitoring goes on). */
  peaks(): Record<string, RssPeak> {
    this.sample();
    const out: Record<string, RssPeak> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const current = this.sectionPeak(name, pid);
      const all = this.overall.get(name);
      out[name] = all ? maxPeak(all, current) : current;
    }
    return out;
  }

  private sectionPeak(name: string, pid: number): RssPeak {
    const polled = (this.sectionKiB.get(name) ?? 0) / 1024;
    const hwm = this.hwmResets.get(name) !== false ? (statusKiB(pid, 'VmHWM') ?? 0) / 1024 : 0;
    return { polledMiB: polled, hwmMiB: hwm, peakMiB: Math.max(polled, hwm) };
  }

  stop(): Record<string, RssPeak> {
    const out = this.peaks();
    clearInterval(this.timer);
    return out;
  }
}

function maxPeak(a: RssPeak, b: RssPeak): RssPeak {
  return { polledMiB: Math.max(a.polledMiB, b.polledMiB), hwmMiB: Math.max(a.hwmMiB, b.hwmMiB), peakMiB: Math.max(a.peakMiB, b.peakMiB) };
}

/** Resets a process's VmHWM to its current RSS (Linux ≥ 4.0; needs the right to write its clear_refs). */
function resetHwm(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
