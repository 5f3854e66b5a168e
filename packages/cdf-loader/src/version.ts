/** This package's version, sent in the `x-cdp-sdk` header (a test keeps it equal to package.json's). */
export const VERSION = '0.1.0';
