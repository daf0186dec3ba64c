/**
 * Checks every messaging adapter makes before calling its provider: the
 * message is for this channel, the template is known, every variable the
 * template needs is present.
 */
import { ProviderError } from '../core/errors.ts';
import { type TemplatedMessage, TemplatedMessageSchema } from './messaging.ts';
import { parseInput } from './validate.ts';

/**
 * Parses a message for `channel` and returns it with defaults applied.
 *
 * @example
 * const message = parseMessage(raw, 'sms', 'twilio');
 */
export function parseMessage(
  raw: TemplatedMessage,
  channel: TemplatedMessage['channel'],
  provider: string,
) {
  const message = parseInput(TemplatedMessageSchema, raw, provider, 'messages.send');
  if (message.channel !== channel) {
    throw new ProviderError({
      code: 'invalid_request',
      provider,
      operation: 'messages.send',
      fields: ['channel'],
    });
  }
  return message;
}

/**
 * Picks the declared variables, in order, failing on missing ones. Variables
 * the template does not declare are never sent.
 *
 * @example
 * pickVariables(['time'], { time: '09:30', diagnosis: 'x' }, 'twilio'); // ['09:30']
 */
export function pickVariables(
  names: readonly string[],
  variables: Record<string, string>,
  provider: string,
): string[] {
  const missing = names.filter((name) => variables[name] === undefined);
  if (missing.length > 0) {
    throw new ProviderError({
      code: 'invalid_request',
      provider,
      operation: 'messages.send',
      fields: missing.map((name) => `variables.${name}`),
    });
  }
  return names.map((name) => variables[name] as string);
}

/**
 * `invalid_request` for a template the adapter has no mapping for.
 *
 * @example
 * throw unknownTemplate('whatsapp');
 */
export const unknownTemplate = (provider: string): ProviderError =>
  new ProviderError({
    code: 'invalid_request',
    provider,
    operation: 'messages.send',
    fields: ['template'],
    message: 'No provider template is configured for this template name.',
  });
