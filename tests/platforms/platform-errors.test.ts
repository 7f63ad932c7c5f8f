import { describe, expect, it } from 'vitest';
import { DigestError } from '../../src/errors.ts';
import { PlatformStartError, SendError } from '../../src/platforms/platform.ts';

describe('the platforms\' errors are of the DigestError family', () => {
  it('SendError keeps its kind, destination, platform code and cause', () => {
    const cause = new Error('403 Forbidden');
    const error = new SendError('gone', { platform: 'telegram', chatId: '-100', threadId: '7' }, 'bot was kicked', { platformCode: 403, cause });
    expect(error).toBeInstanceOf(DigestError);
    expect(error).toMatchObject({ name: 'SendError', kind: 'gone', message: 'telegram:-100/7: bot was kicked', cause, details: { platformCode: 403 } });
  });

  it('PlatformStartError keeps its platform, permanence and cause', () => {
    const cause = new Error('401');
    const error = new PlatformStartError('discord', true, 'Discord refused the token', { cause });
    expect(error).toBeInstanceOf(DigestError);
    expect(error).toMatchObject({ name: 'PlatformStartError', platform: 'discord', permanent: true, message: 'discord: Discord refused the token', cause });
  });
});
