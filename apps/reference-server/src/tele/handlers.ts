/** Handlers of `teleRooms.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  completeTeleRoom,
  createTeleRoom,
  getTeleRoom,
  joinTeleRoom,
  type TeleRoomsDeps,
} from './service.ts';

/**
 * Handlers for `teleRooms.*`; `deps` is read on each call, so building the
 * handlers needs no providers (the operation list is read without them).
 *
 * @example
 * const handlers = teleRoomHandlers(() => ({ tele: providers.teleRooms, manualTasks: providers.manualTasks, config }));
 */
export function teleRoomHandlers(deps: () => TeleRoomsDeps) {
  return defineHandlers(operations.teleRooms, {
    create: (ctx) => createTeleRoom(ctx.db, changeOf(ctx), deps(), ctx.body),
    get: (ctx) => getTeleRoom(ctx.db, ctx.auth.tenantId, ctx.params.teleRoomId),
    join: (ctx) => joinTeleRoom(ctx.db, changeOf(ctx), deps(), ctx.params.teleRoomId, ctx.body),
    complete: (ctx) =>
      completeTeleRoom(ctx.db, changeOf(ctx), deps(), ctx.params.teleRoomId, ctx.body),
  });
}
