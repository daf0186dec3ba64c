import { describeObjectStorageConformance } from '../ports/__fixtures__/object-storage.case.ts';
import { InMemoryObjectStorage } from './object-storage.ts';

let offset = 0;
const storage = new InMemoryObjectStorage({ now: () => new Date(Date.now() + offset * 1000) });

describeObjectStorageConformance({
  name: 'in-memory fake',
  setup: async () => ({
    storage,
    send: (link, body) => storage.fetchPresigned(link, body),
    advance: (seconds) => {
      offset += seconds;
    },
  }),
});
