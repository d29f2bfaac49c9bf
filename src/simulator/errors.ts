/** Errors that become GitHub-shaped HTTP responses (`{message, documentation_url}`, 422 with `errors[]`). */

const DOCS = "https://docs.github.com/rest";

export interface ValidationItem {
  resource: string;
  field?: string;
  code: "missing" | "missing_field" | "invalid" | "already_exists" | "unprocessable" | "custom";
  value?: unknown;
  message?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === "string" ? body.message : `HTTP ${status}`);
  }
}

export function notFound(): HttpError {
  return new HttpError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
}

export function gone(message: string): HttpError {
  return new HttpError(410, { message, documentation_url: DOCS, status: "410" });
}

export function validationFailed(errors: ValidationItem[], docs = DOCS): HttpError {
  return new HttpError(422, { message: "Validation Failed", errors, documentation_url: docs, status: "422" });
}

export function badCredentials(): HttpError {
  return new HttpError(401, {
    message: "Bad credentials",
    documentation_url: "https://docs.github.com/rest",
    status: "401",
  });
}

export function requiresAuth(): HttpError {
  return new HttpError(401, {
    message: "Requires authentication",
    documentation_url: "https://docs.github.com/rest",
    status: "401",
  });
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, { message, documentation_url: DOCS, status: "400" });
}
