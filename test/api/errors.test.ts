import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp } from "../support/app.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { field: string; message: string }[];
}

describe("errors are problem+json", () => {
  let database: TestDatabase;
  let api: ReturnType<typeof testApp>;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    api = testApp(database);
  });
  afterAll(() => database.drop());

  const cases: [string, string, string][] = [
    ["/api/v1/issues?per_page=101", "per_page", "expected a whole number from 1 to 100"],
    ["/api/v1/issues?per_page=abc", "per_page", "expected a whole number from 1 to 100"],
    ["/api/v1/issues?page=0", "page", "expected a whole number from 1 to 1000000"],
    ["/api/v1/issues?state=opened", "state", "expected one of open, closed, all"],
    ["/api/v1/issues?sort=priority", "sort", "expected one of created, updated, number, title"],
    ["/api/v1/issues?direction=up", "direction", "expected one of asc, desc"],
    [
      "/api/v1/issues?updated_since=yesterday",
      "updated_since",
      "expected an ISO 8601 date-time, e.g. 2024-01-15T10:00:00Z",
    ],
    ["/api/v1/issues?repository=not-a-repo", "repository", ""],
    ["/api/v1/issues?milestone=next", "milestone", ""],
    ["/api/v1/milestones?state=done", "state", "expected one of open, closed, all"],
    ["/api/v1/projects?per_page=0", "per_page", "expected a whole number from 1 to 100"],
    ["/api/v1/issues/not-a-uuid", "id", "expected a UUID"],
  ];

  for (const [path, field, message] of cases) {
    test(`${path} → 422 naming ${field}`, async () => {
      const response = await api.request(path);
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = (await response.json()) as Problem;
      expect(body.status).toBe(422);
      expect(body.title).toBe("Unprocessable Content");
      expect(body.instance).toBe(new URL(`http://x${path}`).pathname);
      expect(body.errors?.map((e) => e.field)).toEqual([field]);
      if (message) expect(body.errors?.[0]?.message).toBe(message);
      expect(body.detail).toContain(field);
      expect(JSON.stringify(body)).not.toContain("    at ");
    });
  }

  for (const resource of ["issues", "milestones", "projects"]) {
    test(`unknown ${resource} id → 404 problem`, async () => {
      const id = "00000000-0000-4000-8000-000000000000";
      const response = await api.request(`/api/v1/${resource}/${id}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = (await response.json()) as Problem;
      expect(body.detail).toContain(id);
    });
  }

  test("unknown route → 404 problem", async () => {
    const response = await api.request("/api/v1/nothing-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(((await response.json()) as Problem).detail).toBe("No route for GET /api/v1/nothing-here");
  });

  test("a database failure is a 500 problem without a stack trace", async () => {
    const broken = await createTestDatabase("pglite");
    const brokenApi = testApp(broken);
    await broken.drop();
    const response = await brokenApi.request("/api/v1/issues");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: "Internal Server Error" });
    expect(text).not.toContain("at ");
    expect(text).not.toContain("PGlite");
  });
});
