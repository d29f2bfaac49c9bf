/**
 * Read a request body with a hard cap, without ever holding more than the cap: Content-Length is checked before
 * a byte is read, and a chunked (or lying) body is cut off as soon as it passes the cap.
 */
import { ProblemError } from "../api/problem.ts";

export function tooLarge(limit: number): ProblemError {
  return new ProblemError(413, `Webhook payloads are limited to ${limit} bytes (GitHub's 25 MB cap)`);
}

export async function readCappedBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  // With a Content-Length within the cap, HTTP framing bounds the body: read it in one go (cheaper per request
  // than pulling chunks). Only a body without one (chunked) needs counting.
  if (declared !== null && /^\d+$/.test(declared)) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
