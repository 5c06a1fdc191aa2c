/**
 * @module rotating-file
 * An append-only log file rotated by size, keeping a fixed current name: `moysklad_logger.log`
 * is always the file being written (R32 names it), older ones are `moysklad_logger.1.log`
 * (newest) … `moysklad_logger.<keep>.log`. (pino-roll numbers the current file itself, so the
 * required name would only exist as a symlink; hence this small rotator.)
 *
 * Writes are synchronous single `write(2)` calls on an O_APPEND descriptor, so lines from
 * several processes never interleave. A process that finds the file rotated by another one
 * simply reopens it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface RotationConfig {
  /** Rotate when the current file would exceed this many bytes (default 10 MiB). */
  maxBytes: number;
  /** Rotated files kept besides the current one (default 5). */
  keep: number;
}

export const DEFAULT_ROTATION: RotationConfig = Object.freeze({ maxBytes: 10 * 1024 * 1024, keep: 5 });

/** `moysklad_logger.log` → `moysklad_logger.3.log`. */
export function rotatedName(file: string, n: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${n}${ext}`;
}

/** The current file followed by the rotated ones that exist, newest first. */
export function logFilesNewestFirst(file: string, keep: number = DEFAULT_ROTATION.keep): string[] {
  const out = fs.existsSync(file) ? [file] : [];
  for (let n = 1; n <= keep; n++) if (fs.existsSync(rotatedName(file, n))) out.push(rotatedName(file, n));
  return out;
}

export class RotatingFile {
  readonly file: string;
  readonly rotation: RotationConfig;
  #fd: number | null = null;
  #ino = 0;
  #size = 0;

  constructor(file: string, rotation: Partial<RotationConfig> = {}) {
    this.file = file;
    this.rotation = { ...DEFAULT_ROTATION, ...rotation };
    if (this.rotation.maxBytes < 1 || this.rotation.keep < 0) throw new Error('invalid log rotation config');
    // S4: logs are private to the service's user (directory 0700, files 0600).
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  }

  /** Appends one line (a newline is added). */
  writeLine(line: string): void {
    const data = Buffer.from(`${line}\n`, 'utf8');
    this.#ensureOpen();
    if (this.#size > 0 && this.#size + data.length > this.rotation.maxBytes) {
      this.#rotate();
      this.#ensureOpen();
    }
    fs.writeSync(this.#fd as number, data);
    this.#size += data.length;
  }

  close(): void {
    if (this.#fd !== null) fs.closeSync(this.#fd);
    this.#fd = null;
  }

  #ensureOpen(): void {
    if (this.#fd !== null) {
      // Rotated by another process (or deleted)? Reopen the current name.
      let st: fs.Stats | null = null;
      try {
        st = fs.statSync(this.file);
      } catch {
        st = null;
      }
      if (st && st.ino === this.#ino) {
        this.#size = st.size;
        return;
      }
      this.close();
    }
    this.#fd = fs.openSync(this.file, 'a', 0o600);
    const st = fs.fstatSync(this.#fd);
    this.#ino = st.ino;
    this.#size = st.size;
  }

  #rotate(): void {
    this.close();
    const { keep } = this.rotation;
    if (keep === 0) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    fs.rmSync(rotatedName(this.file, keep), { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      const from = rotatedName(this.file, n);
      if (fs.existsSync(from)) fs.renameSync(from, rotatedName(this.file, n + 1));
    }
    if (fs.existsSync(this.file)) fs.renameSync(this.file, rotatedName(this.file, 1));
  }
}
