#!/usr/bin/env node
// Thin launcher: registers tsx's loader in THIS process and imports the TypeScript CLI, so that
// `npx moysklad-exchange` works without a build step and SIGTERM/SIGINT reach the CLI directly
// (a child process behind a launcher would not get them, and jobs would not checkpoint).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// The project's tsconfig (JSX via hono/jsx) whatever the working directory is.
register({ tsconfig: join(root, 'tsconfig.json') });
await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
