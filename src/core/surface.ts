import type { DialectName } from './dialect.js';

/** The error dialect a client speaks: the dialect of the route it called. */
export type Surface = DialectName;
