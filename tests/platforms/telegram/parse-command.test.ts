import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../../src/platforms/telegram/parse-command.ts';
import { scriptedRouter } from '../../helpers/fake-telegram-harness.ts';

const { definitions } = scriptedRouter();
const parse = (text: string) => parseCommandText(text, 'digest_bot', definitions);

describe('parseCommandText', () => {
  it.each([
    ['/report 2026-01-03', { name: 'report', args: { date: '2026-01-03' } }],
    ['/report@Digest_Bot 20260103', { name: 'report', args: { date: '20260103' } }],
    ['/REPORT today', { name: 'report', args: { date: 'today' } }],
    ['/report 2026/1/3', { name: 'report', args: { date: '2026/1/3' } }],
    ['/report garbage', { name: 'report', args: { date: 'garbage' } }],
    ['/subscribe 08:30 Europe/Berlin', { name: 'subscribe', args: { time: '08:30', tz: 'Europe/Berlin' } }],
    ['/subscribe Asia/Shanghai 7:05', { name: 'subscribe', args: { time: '7:05', tz: 'Asia/Shanghai' } }],
    ['/subscribe -1001234567 09:00', { name: 'subscribe', args: { channel: '-1001234567', time: '09:00' } }],
    ['/subscribe 25:99', { name: 'subscribe', args: { time: '25:99' } }],
    // The form the help text shows, shared with Discord's option names.
    ['/subscribe time:08:30 tz:Europe/Berlin', { name: 'subscribe', args: { time: '08:30', tz: 'Europe/Berlin' } }],
    ['/subscribe tz=Asia/Tokyo time=7:05', { name: 'subscribe', args: { time: '7:05', tz: 'Asia/Tokyo' } }],
    ['/report date:2026-01-03', { name: 'report', args: { date: '2026-01-03' } }],
    ['/repost all', { name: 'repost', args: { all: true } }],
    ['/repost 2026-01-03 all', { name: 'repost', args: { date: '2026-01-03', all: true } }],
    ['/repost ALL 2026-01-03', { name: 'repost', args: { date: '2026-01-03', all: true } }],
    ['/start extra words', { name: 'start', args: {} }],
    ['/unknown 1', { name: 'unknown', args: {} }],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('ignores text that is not a command, or a command for another bot', () => {
    expect(parse('hello /report')).toBeNull();
    expect(parse('/report@other_bot 2026-01-03')).toBeNull();
  });
});
