/** Request authentication: `token X` / `Bearer X` (reference §5: unknown token → 401 Bad credentials). */
import { type AppConfig, looksLikeJwt, verifyAppJwt } from "./app-auth.ts";
import type { Clock } from "./clock.ts";
import { badCredentials } from "./errors.ts";
import type { Store } from "./store.ts";
import type { Credential } from "./types.ts";

export interface InstallationToken {
  installationId: number;
  expiresAt: number;
}

export class Auth {
  /** Personal tokens → user login. */
  tokens = new Map<string, string>();
  /** Scopes of personal tokens added with explicit scopes. */
  tokenScopes = new Map<string, string[]>();
  installationTokens = new Map<string, InstallationToken>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    public app: AppConfig | null,
  ) {}

  async authenticate(req: Request): Promise<Credential> {
    const header = req.headers.get("authorization");
    if (!header) return { kind: "anonymous", key: "anonymous", user: null, installationId: null };
    const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
    if (!m?.[2]) throw badCredentials();
    const token = m[2];
    const login = this.tokens.get(token);
    if (login) {
      const scopes = this.tokenScopes.get(token);
      return {
        kind: "token",
        key: `token:${token}`,
        user: this.store.user(login),
        installationId: null,
        ...(scopes ? { scopes } : {}),
      };
    }
    const inst = this.installationTokens.get(token);
    if (inst) {
      // Installation tokens expire after one hour; an expired one is simply bad credentials.
      if (this.clock.now() >= inst.expiresAt) throw badCredentials();
      const app = this.app;
      const bot = app ? this.store.user(`${app.slug}[bot]`, "Bot") : null;
      return {
        kind: "installation",
        key: `installation:${inst.installationId}`,
        user: bot,
        installationId: inst.installationId,
      };
    }
    if (this.app && looksLikeJwt(token)) {
      await verifyAppJwt(token, this.app, this.clock);
      return { kind: "app", key: `app:${this.app.id}`, user: null, installationId: null };
    }
    throw badCredentials();
  }
}
