import type { Clock } from "./clock.ts";
import type { Urls } from "./serialize.ts";
import type { Store } from "./store.ts";

/** What every domain operation needs: the state, the time, URL bases and the seeded dice. */
export interface Ctx {
  store: Store;
  clock: Clock;
  urls: Urls;
  rand: () => number;
}
