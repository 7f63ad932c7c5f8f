import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Starts the real bot (`src/main.ts`, its own process) with `env` in `cwd`, its status page on a
 * random local port behind `adminToken`; resolves once `/readyz` answers, with its address and a
 * way to stop it. For the scripts that draw the status page.
 */
export async function startStatusPageBot(cwd: string, env: Record<string, string>, adminToken: string): Promise<{ base: string; stop(): Promise<void> }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const bot = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'main.ts')], {
    cwd,
    env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    bot.kill('SIGTERM');
    await new Promise((resolve) => bot.once('exit', resolve));
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 120) {
      await stop();
      throw new Error('the bot did not get ready within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { base, stop };
}

/** Opens `url` as the operator in headless Chromium (Debian's, /usr/bin/chromium), fonts loaded, and hands the page to `shoot`. */
export async function withStatusPage(url: string, adminToken: string, width: number, shoot: (page: Page) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ httpCredentials: { username: 'operator', password: adminToken }, viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.evaluate('document.fonts.ready');
    await shoot(page);
  } finally {
    await browser.close();
  }
}
