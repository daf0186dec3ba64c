/**
 * The RabbitMQ broker of the tests (127.0.0.1:5672, guest/guest). Tests that
 * need it skip only when it does not answer, and print why.
 *
 *   const rabbitUp = await rabbitMqAnswers('rabbitmq.int.test.ts');
 *   describe.skipIf(!rabbitUp)('…', () => { … });
 */
import { connect } from 'amqplib';

/** Where the tests' RabbitMQ listens. */
export const TEST_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Whether RabbitMQ answers on {@link TEST_RABBITMQ_URL}; when it does not, prints that `file` is skipped and why.
 *
 * @example
 * const rabbitUp = await rabbitMqAnswers('rabbitmq.int.test.ts');
 */
export async function rabbitMqAnswers(file: string): Promise<boolean> {
  try {
    const connection = await connect(TEST_RABBITMQ_URL, { timeout: 2_000 });
    await connection.close();
    return true;
  } catch (error) {
    console.warn(
      `${file} skipped: RabbitMQ does not answer on 127.0.0.1:5672 (${String(error)}); run rabbitmq-server there to run it`,
    );
    return false;
  }
}
