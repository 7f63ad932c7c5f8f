/**
 * The Deliverer as createDelivery wires the bot's, for the benches that run the delivery path
 * without the rest of the bot: the retry policy of config/default.json and each platform's own
 * bound of sends out unrecorded (createDelivery's unrecordedSendBounds) unless one is given for all,
 * so a bench measures the rate the bot would reach, not the library's bare default.
 */
import { unrecordedSendBounds } from '../src/delivery/create-delivery.ts';
import { Deliverer, type DelivererDeps } from '../src/delivery/deliverer.ts';

export function benchDeliverer(
  deps: Pick<DelivererDeps, 'store' | 'platforms'> & Partial<Pick<DelivererDeps, 'logger' | 'maxUnrecordedSends'>>,
): Deliverer {
  const { maxUnrecordedSends, ...rest } = deps;
  return new Deliverer({
    ...rest,
    policy: { maxAttempts: 5, backoffBaseMs: 1000, backoffCapMs: 60_000 },
    ...unrecordedSendBounds(maxUnrecordedSends, false),
  });
}
