/**
 * Account events (installation, projects) have no repository actor to wake, so the replica that stored one
 * applies them itself, right after the commit. Single flight: a kick during a drain runs one more drain after
 * it; the caller never waits.
 */
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { applyPendingAccountEvents } from "./apply-account-events.ts";

export interface AccountDrainer {
  kick(): void;
  /** Resolves when no drain is running (tests, shutdown). */
  idle(): Promise<void>;
}

export function createAccountDrainer(options: {
  db: Database;
  log: Logger;
  installationId?: number | null;
}): AccountDrainer {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      try {
        await applyPendingAccountEvents(options);
      } catch (error) {
        options.log.error("applying account webhook events failed", { error });
      }
    } while (again);
    running = null;
  };
  return {
    kick() {
      if (running) {
        again = true;
        return;
      }
      running = run();
    },
    async idle() {
      while (running) await running;
    },
  };
}
