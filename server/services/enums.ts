import type { DiscoveredFrom } from '../db/generated/client';
import type { DiscoveredFromValue } from '../schemas/regression-tests';

// Prisma enum names cannot hold a hyphen; the database and the API use "user-feedback".
export const toDiscoveredFrom = (value: DiscoveredFromValue): DiscoveredFrom => (value === 'user-feedback' ? 'user_feedback' : value);
export const fromDiscoveredFrom = (value: DiscoveredFrom): DiscoveredFromValue => (value === 'user_feedback' ? 'user-feedback' : value);
