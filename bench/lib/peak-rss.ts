/**
 * Peak RSS of one measured phase, not of the process's life: on Linux the kernel's high-water mark
 * (VmHWM in /proc/self/status) is reset by writing 5 to /proc/self/clear_refs, so a scenario can load
 * its world first, collect garbage, reset the mark, run the measured sync and read the mark after it.
 * Where /proc is unavailable it falls back to the process maximum (`resourceUsage().maxRSS`), setup
 * included, and says so.
 */
import fs from 'node:fs';

export type PeakRssMethod = 'VmHWM' | 'maxRSS';

export interface PeakRssReading {
  mb: number;
  method: PeakRssMethod;
}

/** The minimal file access this needs (passed in; tests give a fake /proc). */
export interface ProcFs {
  writeFileSync(path: string, data: string): void;
  readFileSync(path: string, encoding: 'utf8'): string;
}

/** VmHWM of a /proc/<pid>/status text, in kB (null when absent). */
export function parseVmHwmKb(status: string): number | null {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : null;
}

export class PeakRss {
  #method: PeakRssMethod = 'maxRSS';

  constructor(
    private readonly proc: ProcFs = fs,
    private readonly maxRssKb: () => number = () => process.resourceUsage().maxRSS,
    private readonly gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc,
  ) {}

  /** Collects garbage (when node runs with --expose-gc) and resets the high-water mark; call right before the measured phase. */
  reset(): void {
    this.gc?.();
    try {
      this.proc.writeFileSync('/proc/self/clear_refs', '5');
      this.#method = parseVmHwmKb(this.proc.readFileSync('/proc/self/status', 'utf8')) === null ? 'maxRSS' : 'VmHWM';
    } catch {
      this.#method = 'maxRSS';
    }
  }

  /** The peak since the last reset (VmHWM), or the process maximum when the reset was not possible. */
  read(): PeakRssReading {
    if (this.#method === 'VmHWM') {
      try {
        const kb = parseVmHwmKb(this.proc.readFileSync('/proc/self/status', 'utf8'));
        if (kb !== null) return { mb: Math.round(kb / 1024), method: 'VmHWM' };
      } catch {
        // fall through
      }
    }
    return { mb: Math.round(this.maxRssKb() / 1024), method: 'maxRSS' };
  }
}

/** The note a row carries when its peak could not be limited to the measured phase. */
export const MAX_RSS_NOTE = 'peak RSS is the process maximum (resourceUsage().maxRSS, /proc unavailable): it includes the setup';
