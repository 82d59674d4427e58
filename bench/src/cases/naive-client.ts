import type { FakePlatform } from "@sessionstore/testkit/platform";
import { DEMO_AUTH } from "../demo.js";

/** The tokens a naive client keeps in a variable. */
export interface NaiveTokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * What most hand-written API code does: send the token; on a 401, refresh
 * (with whatever refresh token it holds) and retry once. No single flight, no
 * lock, no re-read: every request that sees the 401 refreshes on its own.
 */
export function naiveClient(platform: FakePlatform, tokens: NaiveTokens) {
  const call = (path: string) =>
    fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  const refresh = async () => {
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: tokens.refreshToken,
      client_id: DEMO_AUTH.clientId,
      client_secret: DEMO_AUTH.clientSecret,
    });
    const response = await fetch(platform.tokenURL, { method: "POST", body });
    const answer = (await response.json()) as { access_token?: string; refresh_token?: string; error?: string };
    if (!response.ok || !answer.access_token) throw new Error(`refresh refused: ${answer.error ?? response.status}`);
    tokens.accessToken = answer.access_token;
    if (answer.refresh_token) tokens.refreshToken = answer.refresh_token;
  };
  return async (path: string): Promise<unknown> => {
    let response = await call(path);
    if (response.status === 401) {
      await response.body?.cancel();
      await refresh();
      response = await call(path);
    }
    if (!response.ok) throw new Error(`API answered ${response.status}`);
    return response.json();
  };
}
