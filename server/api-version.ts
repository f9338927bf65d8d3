/**
 * The version of Hone's API (tool names, inputs and results on every face), `major.minor`.
 * A new tool or a new optional field raises the minor; removing or changing anything a caller relies on raises
 * the major. The client package (`@hone/client`) carries the version its types were generated from and refuses
 * a server of another major, so a gateway fails with a clear message instead of mistyped data.
 */
export const HONE_API_VERSION = '1.0';

/** The response header that carries HONE_API_VERSION on tRPC responses. */
export const API_VERSION_HEADER = 'Hone-Api-Version';
