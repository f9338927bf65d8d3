import { DatabaseInUseError } from '../server/db/client';
import { InvalidEnvironmentError } from '../server/env';

/** Runs a command-line entry point: problems the user can fix print as one message, not a stack trace. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof InvalidEnvironmentError || error instanceof DatabaseInUseError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
