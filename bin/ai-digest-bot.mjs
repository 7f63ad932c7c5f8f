#!/usr/bin/env node
// The bot's start (`npm start` runs it; systemd and containers may run it directly): the compiled
// JavaScript in dist/, rebuilt first when src/ changed since the last build.
import { ensureBuilt } from './build.mjs';
import { watchParent } from './watch-parent.mjs';

// Started by npm: a stop of npm is a stop of the bot, even when npm cannot pass it on.
if (process.env.npm_lifecycle_event) watchParent();
try {
  await ensureBuilt();
} catch (error) {
  process.stderr.write(`ai-digest-bot: cannot compile src/ to dist/: ${error.message}\n`);
  process.exit(1);
}
await import('../dist/main.js');
