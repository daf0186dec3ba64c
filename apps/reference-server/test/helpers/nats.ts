/**
 * The NATS server of the tests (127.0.0.1:4222, with JetStream). Tests that
 * need it skip only when it does not answer, and print why.
 *
 *   const natsUp = await natsAnswers('relay.int.test.ts');
 *   describe.skipIf(!natsUp)('…', () => { … });
 */
import { connect } from '@nats-io/transport-node';

/** Where the tests' NATS listens. */
export const TEST_NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Whether NATS answers on {@link TEST_NATS_URL}; when it does not, prints that `file` is skipped and why.
 *
 * @example
 * const natsUp = await natsAnswers('relay.int.test.ts');
 */
export async function natsAnswers(file: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: TEST_NATS_URL, timeout: 1_000, reconnect: false });
    await nc.close();
    return true;
  } catch (error) {
    console.warn(
      `${file} skipped: NATS does not answer on ${TEST_NATS_URL} (${String(error)}); run nats-server -js there to run it`,
    );
    return false;
  }
}
