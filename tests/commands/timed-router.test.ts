import { describe, expect, it } from 'vitest';
import { timeCommands } from '../../src/commands/timed-router.ts';
import type { CommandContext, CommandDefinition, CommandRouter } from '../../src/commands/types.ts';

function routerDefining(names: string[]): CommandRouter {
  return {
    definitions: names.map((name) => ({ name }) as unknown as CommandDefinition),
    autocompleteDates: () => [],
    handle: async () => ({ kind: 'text', text: 'ok' }),
  };
}

const context = { platform: 'telegram' } as CommandContext;

describe('timeCommands', () => {
  it('labels every command the router defines with its own name, search included', async () => {
    const seen: string[] = [];
    const timed = timeCommands(routerDefining(['report', 'search']), (_platform, command) => seen.push(command));
    await timed.handle('search', {}, context);
    await timed.handle('report', {}, context);
    expect(seen).toEqual(['search', 'report']);
  });

  it('labels a name the router does not define as other, so users cannot mint label values', async () => {
    const seen: string[] = [];
    const timed = timeCommands(routerDefining(['report']), (_platform, command) => seen.push(command));
    await timed.handle('made_up_by_a_user', {}, context);
    expect(seen).toEqual(['other']);
  });
});
