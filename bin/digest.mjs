#!/usr/bin/env node
// The `digest` operator command. Runs the TypeScript sources directly through tsx so that
// `npx digest …` works in a fresh checkout right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
