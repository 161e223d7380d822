import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, and the same for its children that have exited and been waited for. */
  readonly ownTicks: number;
  readonly reapedChildTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // The command name may hold spaces or parentheses: fields are counted from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const field = (n: number) => Number(fields[n - 3]);
  return {
    ppid: field(4),
    ownTicks: field(14) + field(15),
    reapedChildTicks: field(16) + field(17),
  };
}

/**
 * CPU time, in ms, that a PostgreSQL server has used so far: the postmaster, its live
 * processes (backends, WAL writer, checkpointer...) and those that have exited (the kernel adds
 * them to the postmaster's children times). The difference of two readings is what the server
 * did between them. Linux only, and only for a server this machine runs.
 */
export function postgresCpuMs(postmasterPid: number): number {
  // A process reaped while the children are listed would be missed (or counted twice): list them
  // again until the postmaster's reaped-children time is the same before and after.
  for (;;) {
    const before = readStat(postmasterPid);
    if (!before) throw new Error(`no PostgreSQL postmaster with pid ${postmasterPid}`);
    let ticks = before.ownTicks + before.reapedChildTicks;
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === postmasterPid) continue;
      const stat = readStat(pid);
      if (stat?.ppid === postmasterPid) ticks += stat.ownTicks;
    }
    if (readStat(postmasterPid)?.reapedChildTicks === before.reapedChildTicks) {
      return (ticks * 1000) / TICKS_PER_SECOND;
    }
  }
}

/** CPU time, in ms, one live process has used so far (its own threads, not its children). */
export function processCpuMs(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`no process with pid ${pid}`);
  return (stat.ownTicks * 1000) / TICKS_PER_SECOND;
}

/** The parent of a process (a backend's parent is the postmaster). */
export function parentPid(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`no process with pid ${pid}`);
  return stat.ppid;
}

/** The postmaster's pid, from the first line of `postmaster.pid` in its data directory. */
export function postmasterPid(pgdata: string): number {
  return Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
}
