/**
 * Errors as RFC 9457 problem details (`application/problem+json`). Services throw `ProblemError`; the one
 * mapping in src/api/error-handler.ts turns it (and everything else) into a response.
 */

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export class ProblemError extends Error {
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(
    status: number,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = "ProblemError";
    this.status = status;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
  }
}

export const notFound = (what: string, id: string) => new ProblemError(404, `${what} ${id} does not exist`);

export const invalidField = (field: string, message: string, status = 422) =>
  new ProblemError(status, `Invalid value for ${field}: ${message}`, { errors: [{ field, message }] });

export function problemBody(
  status: number,
  detail: string | undefined,
  extra: Partial<ProblemBody> = {},
): ProblemBody {
  const title = TITLES[status] ?? "Error";
  return {
    type: "about:blank",
    title,
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
