/** Shared API models: pagination (the seed's `pagination` object), sorting, ids, sync info. */
import { t } from "elysia";

export const PER_PAGE_MAX = 100;
export const PER_PAGE_DEFAULT = 20;

/**
 * An integer query parameter. Elysia validates coerced numbers one property at a time and reports them with an
 * empty path, so the schema carries its own name (`title`) for the error mapping to name the field.
 */
export function queryInteger(
  name: string,
  options: { minimum: number; maximum: number; default?: number; description: string },
) {
  return t.Optional(t.Integer({ ...options, title: name }));
}

export const PageQuery = {
  page: queryInteger("page", {
    minimum: 1,
    maximum: 1_000_000,
    default: 1,
    description: "Page number, from 1",
  }),
  per_page: queryInteger("per_page", {
    minimum: 1,
    maximum: PER_PAGE_MAX,
    default: PER_PAGE_DEFAULT,
    description: "Rows per page, 1–100",
  }),
};

export const Direction = t.Union([t.Literal("asc"), t.Literal("desc")], {
  description: "Sort direction",
  default: "desc",
});

export const Pagination = t.Object(
  {
    page: t.Integer(),
    per_page: t.Integer(),
    total: t.Integer({ description: "Rows matching the filters, over all pages" }),
    pages: t.Integer({ description: "Number of pages at this per_page" }),
  },
  { examples: [{ page: 1, per_page: 20, total: 1, pages: 1 }] },
);
export type PaginationDto = typeof Pagination.static;

export function pagination(page: number, perPage: number, total: number): PaginationDto {
  return { page, per_page: perPage, total, pages: Math.ceil(total / perPage) };
}

export const IdParams = t.Object({
  id: t.String({ format: "uuid", description: "The row's id in this mirror" }),
});

export const RepositoryName = t.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$",
  description: "owner/name",
  examples: ["octo-org/sandbox"],
});

export const SyncInfo = t.Object({
  state: t.Union([t.Literal("synced"), t.Literal("pending"), t.Literal("conflicted"), t.Literal("failed")], {
    description: "pending: a local change has not reached GitHub yet",
  }),
  version: t.Integer({ description: "Row version; also sent as the ETag for If-Match" }),
  synced_at: t.Nullable(t.String({ format: "date-time" })),
});

export function syncInfo(row: {
  syncState: "synced" | "pending" | "conflicted" | "failed";
  syncVersion: number;
  syncedAt: Date | null;
}) {
  return { state: row.syncState, version: row.syncVersion, synced_at: iso(row.syncedAt) };
}

export const DateTime = t.String({ format: "date-time" });
export const NullableDateTime = t.Nullable(DateTime);

export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** Comma-separated list in a query string: `labels=bug,ui`. */
export function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export const ProblemModel = t.Object(
  {
    type: t.String(),
    title: t.String(),
    status: t.Integer(),
    detail: t.Optional(t.String()),
    instance: t.Optional(t.String()),
    errors: t.Optional(t.Array(t.Object({ field: t.String(), message: t.String() }))),
  },
  {
    description: "RFC 9457 problem details (application/problem+json)",
    examples: [
      {
        type: "about:blank",
        title: "Unprocessable Content",
        status: 422,
        detail: "query parameter per_page: expected a whole number from 1 to 100",
        instance: "/api/v1/issues",
        errors: [{ field: "per_page", message: "expected a whole number from 1 to 100" }],
      },
    ],
  },
);

/** Standard error responses for Swagger. */
export const errorResponses = {
  404: ProblemModel,
  422: ProblemModel,
} as const;
