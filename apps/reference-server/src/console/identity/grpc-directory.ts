/**
 * The {@link StaffDirectory} over gRPC (`staff-directory.proto`, service
 * `clinicbridge.staff.v1.StaffDirectory`), on `@grpc/grpc-js`. Every call
 * has a deadline (`OPS_STAFF_DIRECTORY_TIMEOUT`); any failure — down, slow,
 * or an answer out of shape — is a {@link StaffDirectoryUnavailableError},
 * which refuses the sign-in or action.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as z from 'zod';
import {
  type DirectoryIdentity,
  type StaffDirectory,
  StaffDirectoryUnavailableError,
} from './directory.ts';

const PROTO = fileURLToPath(new URL('./staff-directory.proto', import.meta.url));

/**
 * The service definition of `staff-directory.proto` (for a client, or a server in tests).
 *
 * @example
 * server.addService(staffDirectoryService(), { Authenticate, GetRoles, CheckPermission });
 */
export function staffDirectoryService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(PROTO, { keepCase: false, defaults: true });
  return definition['clinicbridge.staff.v1.StaffDirectory'] as grpc.ServiceDefinition;
}

const authenticateReply = z.object({
  ok: z.boolean(),
  subject: z.string().max(300),
  displayName: z.string().max(300),
});
const rolesReply = z.object({ roles: z.array(z.string().max(200)).max(500) });
const permissionReply = z.object({ allowed: z.boolean() });

type Unary = (
  request: unknown,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, reply: unknown) => void,
) => void;

/**
 * A directory client of `address` (`host:port`): over TLS when `tlsCa` (PEM)
 * is given, which must sign the directory's certificate; else plaintext
 * HTTP/2, for a private network or a service mesh only.
 *
 * @example
 * const directory = grpcStaffDirectory('users.internal:50051', 3_000, caPem);
 * await directory.authenticate('ada', 'password');
 */
export function grpcStaffDirectory(
  address: string,
  timeoutMs: number,
  tlsCa?: string,
): StaffDirectory {
  const Client = grpc.makeGenericClientConstructor(staffDirectoryService(), 'StaffDirectory');
  const credentials = tlsCa
    ? grpc.credentials.createSsl(Buffer.from(tlsCa))
    : grpc.credentials.createInsecure();
  const client = new Client(address, credentials) as unknown as Record<string, Unary>;
  const call = <T>(method: string, request: unknown, shape: z.ZodType<T>): Promise<T> =>
    new Promise((resolve, reject) => {
      const unary = client[method];
      if (!unary) {
        reject(new StaffDirectoryUnavailableError(`no method ${method}`));
        return;
      }
      unary.call(client, request, { deadline: Date.now() + timeoutMs }, (error, reply) => {
        if (error) {
          reject(
            new StaffDirectoryUnavailableError(
              `The staff directory did not answer ${method} (${grpc.status[error.code] ?? error.code}).`,
            ),
          );
          return;
        }
        const parsed = shape.safeParse(reply);
        if (parsed.success) resolve(parsed.data);
        else reject(new StaffDirectoryUnavailableError(`${method}: answer out of shape`));
      });
    });
  return {
    async authenticate(user, password): Promise<DirectoryIdentity | null> {
      const reply = await call('Authenticate', { username: user, password }, authenticateReply);
      if (!reply.ok) return null;
      if (!reply.subject) throw new StaffDirectoryUnavailableError('Authenticate: no subject');
      return { subject: reply.subject, name: reply.displayName || reply.subject };
    },
    async roles(subject) {
      return (await call('GetRoles', { subject }, rolesReply)).roles;
    },
    async checkPermission(subject, permission) {
      return (await call('CheckPermission', { subject, permission }, permissionReply)).allowed;
    },
    close() {
      (client as unknown as grpc.Client).close();
    },
  };
}
