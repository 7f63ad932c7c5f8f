#!/usr/bin/env node
// The bot's start (`npm start` runs it; systemd and containers may run it directly): the compiled
// JavaScript in dist/, rebuilt first when src/ changed since the last build.
import { ensureBuilt } from './build.mjs';
import { watchParent } from './watch-parent.mjs';

// Started by npm: a stop of npm is a stop of the bot, even when npm cannot pass it on.
if (process.env.npm_lifecycle_event) watchParent();
await ensureBuilt();
await import('../dist/main.js');
