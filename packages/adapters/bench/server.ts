/**
 * The local provider the overhead benchmark calls: answers every request with
 * a small JSON body, keep-alive on. Runs in its own process so its CPU time is
 * not charged to the client being measured. Prints its port on stdout.
 */
import { createServer } from 'node:http';

const body = JSON.stringify({
  id: 'pi_bench',
  object: 'payment_intent',
  amount: 125000,
  currency: 'eur',
  status: 'requires_capture',
});

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${address.port}\n`);
});
process.on('disconnect', () => server.close());
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
