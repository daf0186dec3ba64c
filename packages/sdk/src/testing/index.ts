/** Placeholder: testing handlers are being written. */
export const TESTING = true;
