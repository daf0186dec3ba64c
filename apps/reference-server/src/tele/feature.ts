/**
 * The tele-rooms feature: video rooms for remote appointments
 * (`teleRooms.*`), prepayment before the patient's join link, follow-up
 * scheduling when a session completes, and the operators' task list when
 * no video provider is configured.
 */
import { type Feature, readSection } from '../feature.ts';
import { teleRoomsConfig } from './config.ts';
import { teleRoomHandlers } from './handlers.ts';
import { teleRoomsMigrations } from './migrations.ts';
import type { TeleRoomsDeps } from './service.ts';

/**
 * The tele-rooms feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, teleRoomsFeature];
 */
export const teleRoomsFeature: Feature = {
  name: 'tele-rooms',
  tables: ['tele_rooms'],
  migrations: teleRoomsMigrations,
  config: teleRoomsConfig,
  handlers: (context) => {
    let deps: TeleRoomsDeps | undefined;
    return teleRoomHandlers(() => {
      deps ??= {
        tele: context.providers.teleRooms,
        manualTasks: context.providers.manualTasks,
        config: readSection(context.config, teleRoomsConfig),
      };
      return deps;
    });
  },
};
