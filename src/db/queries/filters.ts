/** Small SQL building blocks shared by the list queries. */
import { type AnyColumn, asc, desc, type SQL, sql } from "drizzle-orm";

/** `ILIKE` with the user's `%` and `_` taken literally. */
export function containsText(column: AnyColumn, text: string): SQL {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`${column} ilike ${`%${escaped}%`}`;
}

/** jsonb array containment: every value present (`labels @> '["a","b"]'`), served by the GIN index. */
export function jsonbContainsAll(column: AnyColumn, values: string[]): SQL {
  return sql`${column} @> ${JSON.stringify(values)}::jsonb`;
}

export function ordered(column: AnyColumn, direction: "asc" | "desc"): SQL {
  return direction === "asc" ? asc(column) : desc(column);
}

export interface Page {
  page: number;
  perPage: number;
}

export const offsetOf = (page: Page) => (page.page - 1) * page.perPage;
