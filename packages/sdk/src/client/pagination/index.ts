/** Cursor pagination: auto-paginating iteration and single pages. */
export * from './pages.ts';
