import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/http/http-server.ts';
import { BotMetrics } from '../../src/metrics/bot-metrics.ts';
import type { PlatformName } from '../../src/platforms/platform.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { BOT_VERSION } from '../../src/version.ts';
import { ROOT_DIR } from '../helpers/node-process.ts';
import { parsePrometheusText } from './prometheus-text.ts';

/** The metric families /metrics serves, with their types (prom-client's process ones left out). */
async function servedFamilies(metrics: BotMetrics): Promise<Map<string, string>> {
  const response = await createHttpApp({ health: new ServiceHealth(), metrics }).request('/metrics');
  expect(response.status).toBe(200);
  const { types } = parsePrometheusText(await response.text());
  return new Map([...types].filter(([name]) => name.startsWith('digest_')));
}

/** The README's metrics table: each row's metric name (labels cut off) and type. */
function readmeTable(): Map<string, string> {
  const readme = readFileSync(path.join(ROOT_DIR, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `(digest_[a-z_]+)(?:\{[a-z,]*\})?` \| (\w+) \|/gm)];
  return new Map(rows.map((row) => [row[1]!, row[2]!]));
}

describe('metrics', () => {
  it('the README metrics table lists every metric /metrics serves, with its type, and nothing else', async () => {
    const served = await servedFamilies(new BotMetrics({ listSubscriptions: async () => [], defaultMetrics: false }));
    expect(served.size).toBeGreaterThan(10);
    expect(readmeTable()).toEqual(served);
  });

  it('digest_build_info is 1 with the version and Node; digest_platform_up follows the platform, 0 without one', async () => {
    const up = new Set<PlatformName>(['telegram']);
    const metrics = new BotMetrics({ listSubscriptions: async () => [], defaultMetrics: false, platformUp: (platform) => up.has(platform) });
    const read = async () => {
      const text = await (await createHttpApp({ health: new ServiceHealth(), metrics }).request('/metrics')).text();
      return parsePrometheusText(text).samples;
    };
    let samples = await read();
    expect(samples.filter((s) => s.name === 'digest_build_info')).toEqual([
      { name: 'digest_build_info', labels: { version: BOT_VERSION, node: process.version }, value: 1 },
    ]);
    const platformUp = (list: typeof samples) => Object.fromEntries(list.filter((s) => s.name === 'digest_platform_up').map((s) => [s.labels.platform, s.value]));
    expect(platformUp(samples)).toEqual({ discord: 0, telegram: 1 });
    // Read at each scrape: a disconnect shows at the next one.
    up.delete('telegram');
    up.add('discord');
    samples = await read();
    expect(platformUp(samples)).toEqual({ discord: 1, telegram: 0 });
  });
});
