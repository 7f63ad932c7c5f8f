import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DISCORD_LIMITS } from '../../../src/render/limits.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';

/**
 * The fake must refuse what Discord refuses, or the adapter tests prove nothing. These talk to it
 * with plain fetch, no discord.js in between.
 */
const GUILD = '820000000000000001';
const TEXT = '820000000000000010';
const BUCKET = '820000000000000011';
const L = DISCORD_LIMITS;

/** Validation runs against a fake that does not rate-limit, so many posts to one channel stay cheap. */
let fake: FakeDiscord;
let limiting: FakeDiscord;

beforeAll(async () => {
  [fake, limiting] = await Promise.all([startFakeDiscord({ enforceRateLimits: false }), startFakeDiscord({ enforceRateLimits: true })]);
  for (const f of [fake, limiting]) {
    f.addGuild({
      id: GUILD,
      name: 'g',
      channels: [
        { id: TEXT, type: 0, name: 'text' },
        { id: BUCKET, type: 0, name: 'bucket' },
      ],
    });
  }
});
afterAll(async () => {
  await Promise.all([fake.close(), limiting.close()]);
});

const api = (path: string, on = fake) => `${on.apiBase}/v10${path}`;
const auth = (on = fake) => ({ authorization: `Bot ${on.token}` });

async function postJson(path: string, body: unknown, headers: Record<string, string> = auth(), on = fake) {
  const res = await fetch(api(path, on), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (res.status === 204 ? null : await res.json()) as Record<string, unknown> };
}

async function postMultipart(channelId: string, body: unknown, files: { name: string; bytes: number }[]) {
  const form = new FormData();
  files.forEach((f, i) => form.append(`files[${i}]`, new Blob([new Uint8Array(f.bytes)]), f.name));
  form.append('payload_json', JSON.stringify(body));
  const res = await fetch(api(`/channels/${channelId}/messages`), { method: 'POST', headers: auth(), body: form });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('fake Discord REST validation', () => {
  it.each([
    ['content over 2000', { content: 'x'.repeat(L.contentChars + 1) }],
    ['11 embeds', { embeds: Array.from({ length: L.embedsPerMessage + 1 }, () => ({ description: 'x' })) }],
    ['embed title over 256', { embeds: [{ title: 'x'.repeat(L.embedTitleChars + 1) }] }],
    ['embed description over 4096', { embeds: [{ description: 'x'.repeat(L.embedDescriptionChars + 1) }] }],
    ['26 fields', { embeds: [{ fields: Array.from({ length: L.embedFields + 1 }, () => ({ name: 'n', value: 'v' })) }] }],
    ['field value over 1024', { embeds: [{ fields: [{ name: 'n', value: 'x'.repeat(L.embedFieldValueChars + 1) }] }] }],
    ['footer over 2048', { embeds: [{ footer: { text: 'x'.repeat(L.embedFooterChars + 1) } }] }],
    ['embeds over 6000 together', { embeds: [{ description: 'x'.repeat(4000) }, { description: 'x'.repeat(2001) }] }],
    ['attachment:// with no upload', { embeds: [{ image: { url: 'attachment://cloud.png' } }] }],
    ['a nonce over 25 characters', { content: 'x', nonce: 'n'.repeat(26) }],
    ['a custom_id over 100 characters', { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'a', custom_id: 'c'.repeat(L.customIdChars + 1) }] }] }],
    ['a button label over 80 characters', { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'l'.repeat(L.buttonLabelChars + 1), custom_id: 'a' }] }] }],
    ['6 buttons in a row', { content: 'x', components: [{ type: 1, components: Array.from({ length: 6 }, (_, i) => ({ type: 2, style: 2, label: 'b', custom_id: `b${i}` })) }] }],
    ['6 action rows', { content: 'x', components: Array.from({ length: 6 }, (_, i) => ({ type: 1, components: [{ type: 2, style: 2, label: 'b', custom_id: `r${i}` }] })) }],
    ['a duplicated custom_id', { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'a', custom_id: 'same' }, { type: 2, style: 2, label: 'b', custom_id: 'same' }] }] }],
    ['a link button without a URL', { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 5, label: 'a' }] }] }],
    ['a link button with a custom_id', { content: 'x', components: [{ type: 1, components: [{ type: 2, style: 5, label: 'a', url: 'https://example.com', custom_id: 'x' }] }] }],
  ])('refuses %s with 400 Invalid Form Body', async (_what, body) => {
    const res = await postJson(`/channels/${TEXT}/messages`, body);
    expect(res.status).toBe(400);
    expect(res.json['code']).toBe(50035);
    expect(res.json['errors']).toBeTypeOf('object');
  });

  it('records which client posted a message: the tag of a /client/<tag> API base, else null', async () => {
    const tagged = await fetch(api(`/channels/${TEXT}/messages`).replace('/api/', '/client/c/api/'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'from c' }),
    });
    expect(tagged.status).toBe(200);
    const plain = await postJson(`/channels/${TEXT}/messages`, { content: 'untagged' });
    const id = ((await tagged.json()) as { id: string }).id;
    expect(fake.messages.find((m) => m.id === id)?.client).toBe('c');
    expect(fake.messages.find((m) => m.id === plain.json['id'])?.client).toBeNull();
  });

  it('accepts buttons at the limits: 5 rows of 5, custom_id of 100, label of 80, link buttons', async () => {
    const rows = Array.from({ length: L.actionRowsPerMessage }, (_, r) => ({
      type: 1,
      components: Array.from({ length: L.buttonsPerRow }, (_, b) =>
        b === 0 ? { type: 2, style: 5, label: 'l'.repeat(L.buttonLabelChars), url: 'https://example.com/x' } : { type: 2, style: 2, label: 'b', custom_id: `${r}${b}`.padEnd(L.customIdChars, 'c') },
      ),
    }));
    const res = await postJson(`/channels/${TEXT}/messages`, { content: 'x', components: rows });
    expect(res.status).toBe(200);
  });

  it('refuses UPDATE_MESSAGE (type 7) as the answer to a slash command: it only answers components', async () => {
    const id = fake.sendSlashCommand({ name: 'report', guildId: null, channelId: TEXT });
    const token = fake.interactionToken(id)!;
    const res = await postJson(`/interactions/${id}/${token}/callback`, { type: 7, data: { content: 'x' } });
    expect(res.status).toBe(400);
  });

  it('accepts a body exactly at the limits', async () => {
    const res = await postJson(`/channels/${TEXT}/messages`, {
      content: 'x'.repeat(L.contentChars),
      embeds: [{ title: 'x'.repeat(L.embedTitleChars), description: 'x'.repeat(L.embedDescriptionChars) }, { description: 'x'.repeat(L.embedTotalChars - L.embedTitleChars - L.embedDescriptionChars) }],
    });
    expect(res.status).toBe(200);
  });

  it('refuses an empty message with 50006', async () => {
    const res = await postJson(`/channels/${TEXT}/messages`, { content: '' });
    expect(res.json['code']).toBe(50006);
  });

  it('multipart: accepts attachment:// matching an upload, refuses a file over 10 MiB with 413', async () => {
    const ok = await postMultipart(TEXT, { embeds: [{ image: { url: 'attachment://cloud.png' } }] }, [{ name: 'cloud.png', bytes: 10 }]);
    expect(ok.status).toBe(200);
    expect(fake.messages.at(-1)!.files).toEqual([expect.objectContaining({ name: 'cloud.png', bytes: 10 })]);
    const big = await postMultipart(TEXT, { content: 'x' }, [{ name: 'big.png', bytes: L.attachmentBytes + 1 }]);
    expect(big.status).toBe(413);
    expect(big.json['code']).toBe(40005);
  });

  it('refuses a request without the bot token', async () => {
    const res = await postJson(`/channels/${TEXT}/messages`, { content: 'x' }, {});
    expect(res.status).toBe(401);
  });

  it('enforce_nonce returns the first message for the same nonce in the same channel', async () => {
    const body = { content: 'once', nonce: 'same-nonce', enforce_nonce: true };
    const a = await postJson(`/channels/${TEXT}/messages`, body);
    const b = await postJson(`/channels/${TEXT}/messages`, body);
    expect(b.json['id']).toBe(a.json['id']);
    expect(fake.messages.filter((m) => m.nonce === 'same-nonce')).toHaveLength(1);
  });

  it('announces the per-channel bucket in headers and answers the sixth post in a window with 429', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof postJson>> | null = null;
    for (let i = 0; i < L.channelMessagesPerWindow + 1; i += 1) {
      last = await postJson(`/channels/${BUCKET}/messages`, { content: `m${i}` }, auth(limiting), limiting);
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('x-ratelimit-limit')).toBe(String(L.channelMessagesPerWindow));
        expect(last.headers.get('x-ratelimit-remaining')).toBe(String(L.channelMessagesPerWindow - 1));
        expect(Number(last.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
        expect(last.headers.get('x-ratelimit-bucket')).toBeTruthy();
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.json['global']).toBe(false);
    expect(last!.json['retry_after']).toBeTypeOf('number');
    expect(last!.headers.get('retry-after')).toBeTruthy();
  });

  it('answers a 51st request within one second with a global 429', async () => {
    // The clock stands still (only Date; timers and sockets stay real), so all the requests fall
    // in one second however slowly a loaded machine sends them.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const results = await Promise.all(
      Array.from({ length: L.globalRequestsPerSecond + 5 }, () => fetch(api('/users/@me', limiting), { headers: auth(limiting) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))),
    ).finally(() => vi.useRealTimers());
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.body['global'] === true)).toBe(true);
  });

  it('sends no rate-limit headers and never 429s when limits are switched off', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < L.channelMessagesPerWindow + 2; i += 1) {
      const res = await postJson(`/channels/${BUCKET}/messages`, { content: `m${i}` });
      statuses.push(res.status);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});

describe('fake Discord command registration', () => {
  const put = async (commands: unknown) => {
    const res = await fetch(api(`/applications/${fake.applicationId}/guilds/${GUILD}/commands`), {
      method: 'PUT',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(commands),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  const valid = { name: 'report', description: '查看报告', description_localizations: { 'en-US': 'Show a report' }, options: [] };

  it('records a valid command list for the guild', async () => {
    expect((await put([valid])).status).toBe(200);
    expect(fake.registeredCommands.find((s) => s.scope === GUILD)?.commands.map((c) => c['name'])).toEqual(['report']);
  });

  it.each([
    ['an uppercase name', { ...valid, name: 'Report' }],
    ['a name over 32', { ...valid, name: 'r'.repeat(L.commandNameChars + 1) }],
    ['an empty description', { ...valid, description: '' }],
    ['a description over 100', { ...valid, description: 'x'.repeat(L.commandDescriptionChars + 1) }],
    ['an unknown locale', { ...valid, description_localizations: { en: 'Show' } }],
    ['26 options', { ...valid, options: Array.from({ length: L.commandOptions + 1 }, (_, i) => ({ name: `o${i}`, description: 'd', type: 3 })) }],
    ['a required option after an optional one', { ...valid, options: [{ name: 'a', description: 'd', type: 3 }, { name: 'b', description: 'd', type: 3, required: true }] }],
  ])('refuses %s', async (_what, command) => {
    const res = await put([command]);
    expect(res.status).toBe(400);
    expect((res.json as { code: number }).code).toBe(50035);
  });
});

describe('fake Discord interactions', () => {
  const callback = (id: string, body: unknown) => postJson(`/interactions/${id}/${fake.interactionToken(id)}/callback`, body, {});

  it('accepts one answer inside the window and refuses a second with 40060', async () => {
    const id = fake.sendSlashCommand({ name: 'dates', guildId: GUILD, channelId: TEXT });
    expect((await callback(id, { type: 5 })).status).toBe(204);
    expect(fake.interactionResponses.find((r) => r.interactionId === id)?.type).toBe(5);
    expect((await callback(id, { type: 5 })).json['code']).toBe(40060);
  });

  it('refuses a wrong token, and any answer after the 3-second window, with 10062 Unknown interaction', async () => {
    const id = fake.sendSlashCommand({ name: 'dates', guildId: GUILD, channelId: TEXT });
    expect((await postJson(`/interactions/${id}/not-the-token/callback`, { type: 5 }, {})).json['code']).toBe(10062);
    const realNow = Date.now;
    const late = realNow() + L.interactionAnswerMs + 1;
    Date.now = () => late;
    try {
      const res = await callback(id, { type: 5 });
      expect(res.status).toBe(404);
      expect(res.json['code']).toBe(10062);
    } finally {
      Date.now = realNow;
    }
    expect(fake.interactionResponses.some((r) => r.interactionId === id)).toBe(false);
  });

  it('refuses more than 25 autocomplete choices', async () => {
    const id = fake.sendAutocomplete({ name: 'report', guildId: GUILD, channelId: TEXT, focused: { name: 'date', value: '' } });
    const choices = Array.from({ length: L.autocompleteChoices + 1 }, (_, i) => ({ name: `${i}`, value: `${i}` }));
    expect((await callback(id, { type: 8, data: { choices } })).status).toBe(400);
  });
});
