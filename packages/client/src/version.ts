import { API_VERSION } from './generated/router.js';

export { API_VERSION };

/** The response header in which the server names the API version it speaks. */
export const API_VERSION_HEADER = 'Hone-Api-Version';

function majorOf(version: string): string {
  return version.split('.')[0]!.trim();
}

/** Same major version: the server may be newer within it (more tools, more optional fields), never different. */
export function isCompatibleApiVersion(serverVersion: string, clientVersion: string = API_VERSION): boolean {
  return majorOf(serverVersion) === majorOf(clientVersion);
}
