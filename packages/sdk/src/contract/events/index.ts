/** The event catalogue (every event type and its payload schema) and the envelope every delivery carries. */
export * from './catalogue.ts';
export * from './envelope.ts';
export * from './shapes.ts';
