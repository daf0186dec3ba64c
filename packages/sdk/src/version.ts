/**
 * The package version, taken from package.json when the package is built
 * (tsup replaces `__PACKAGE_VERSION__`); a bundle of the sources made some
 * other way says `0.0.0-source` rather than a number that may be wrong.
 */
declare const __PACKAGE_VERSION__: string | undefined;

/**
 * Version of this package.
 *
 * @example
 * console.log(`@clinicbridge/sdk ${VERSION}`);
 */
export const VERSION: string =
  typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-source';
