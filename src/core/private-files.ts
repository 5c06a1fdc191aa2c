/**
 * @module private-files
 * S4: what the service writes to disk (the SQLite database with its -wal/-shm, the key file, logs,
 * photos, the demo emulator's state) is readable by the service's user only: directories 0700,
 * files 0600. The process starts with umask 077 (`restrictUmask`), files and directories are
 * created with explicit modes, and an existing install is tightened at start (`tightenTree`).
 */
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
/** The umask that makes anything created without an explicit mode private. */
export const PRIVATE_UMASK = 0o077;

/** Sets the process umask to 077; returns the previous one. */
export function restrictUmask(): number {
  return process.umask(PRIVATE_UMASK);
}

/** Creates `dir` (and missing parents, 0700) and makes `dir` itself 0700. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Async `ensurePrivateDir` for the photo store. */
export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `file` empty with mode 0600 when it does not exist (so that a later open keeps the mode). */
export function touchPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
}

/** chmod to 0600 when the file exists (a -wal or -shm that SQLite created). */
export function privatizeIfExists(file: string): void {
  try {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Tightens an existing tree: every directory to 0700 and every regular file to 0600 (symbolic links
 * are left alone). Returns how many modes it changed. A missing `root` changes nothing.
 */
export function tightenTree(root: string): number {
  let changed = 0;
  const visit = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? PRIVATE_DIR_MODE : st.isFile() ? PRIVATE_FILE_MODE : null;
    if (want === null) return;
    if ((st.mode & 0o777) !== want) {
      fs.chmodSync(p, want);
      changed++;
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(root);
  return changed;
}
