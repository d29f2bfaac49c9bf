import type { Router } from "../router.ts";

export function registerGraphqlRoute(router: Router): void {
  router.add("POST", "/graphql", () => ({ status: 501, body: { message: "not yet" } }), {
    resource: "graphql",
  });
}
