#!/usr/bin/env node
// Launcher. Runs the compiled CLI (dist/cli/main.js, built by `npm run build`, which `npm ci` runs
// through the `prepare` script) when it is up to date: no file under src/ is newer than the build.
// Otherwise (no build, or src edited since) it registers tsx's loader in THIS process and imports the
// TypeScript CLI, so a checkout works without a build step. Either way the CLI runs in this one
// process, so SIGTERM/SIGINT reach it directly (a child behind a launcher would not get them, and
// jobs would not checkpoint). MOYSKLAD_EXCHANGE_TSX=1 forces the TypeScript sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const built = join(root, 'dist', 'cli', 'main.js');

/** The newest modification time of the sources the build compiles (tests excluded, as in tsconfig.build.json). */
function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(p));
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (process.env.MOYSKLAD_EXCHANGE_TSX === '1' || !existsSync(built)) return false;
  const src = join(root, 'src');
  return !existsSync(src) || newestSourceMs(src) <= statSync(built).mtimeMs;
}

if (buildIsCurrent()) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig (JSX via hono/jsx) whatever the working directory is.
  register({ tsconfig: join(root, 'tsconfig.json') });
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
