/** Page-number pagination with GitHub's Link header (reference §4). */

export interface PageParams {
  page: number;
  perPage: number;
}

/** per_page defaults to 30 and is capped at 100; page defaults to 1. Junk values fall back to defaults. */
export function pageParams(url: URL): PageParams {
  const pp = Number.parseInt(url.searchParams.get("per_page") ?? "", 10);
  const p = Number.parseInt(url.searchParams.get("page") ?? "", 10);
  return {
    perPage: Number.isFinite(pp) && pp > 0 ? Math.min(pp, 100) : 30,
    page: Number.isFinite(p) && p > 0 ? p : 1,
  };
}

/**
 * `<url>; rel="prev", <url>; rel="next", <url>; rel="last", <url>; rel="first"`, omitted when everything fits on
 * one page; prev/first absent on page 1, next/last absent on the last page. `linkBase` is the absolute path the
 * links point to (GitHub rewrites repository paths to `/repositories/{id}/…`).
 */
export function linkHeader(
  linkBase: string,
  query: URLSearchParams,
  p: PageParams,
  total: number,
): string | null {
  const last = Math.max(1, Math.ceil(total / p.perPage));
  if (last === 1 && p.page === 1) return null;
  const at = (page: number) => {
    const q = new URLSearchParams(query);
    q.set("per_page", String(p.perPage));
    q.set("page", String(page));
    return `<${linkBase}?${q.toString()}>`;
  };
  const parts: string[] = [];
  if (p.page > 1) parts.push(`${at(Math.min(p.page - 1, last))}; rel="prev"`);
  if (p.page < last) parts.push(`${at(p.page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (p.page > 1) parts.push(`${at(1)}; rel="first"`);
  return parts.length ? parts.join(", ") : null;
}

export function slicePage<T>(all: T[], p: PageParams): T[] {
  return all.slice((p.page - 1) * p.perPage, p.page * p.perPage);
}

export function linkHeaders(link: string | null): Record<string, string> {
  return link ? { link } : {};
}
