/**
 * A port on 127.0.0.1 where nothing listens: tests point a client at it to
 * play a broker that is down.
 *
 *   const url = `nats://127.0.0.1:${await closedPort()}`;
 */
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago (listened on, then closed).
 *
 * @example
 * const port = await closedPort();
 */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
