/** Placeholder entry while the package is being written. */
export const VERSION = '0.1.0';
