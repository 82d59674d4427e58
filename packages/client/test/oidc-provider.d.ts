// The few members of oidc-provider 9 (which ships no types) that oidc-provider.test.ts uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface GrantInstance {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  interface InteractionDetails {
    readonly uid: string;
    readonly params: Record<string, unknown>;
  }
  interface TokenModel {
    find(value: string): Promise<{ readonly clientId?: string; destroy(): Promise<void> } | undefined>;
  }
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    Grant: new (init: {
      accountId: string;
      clientId: string;
    }) => GrantInstance;
    ClientCredentials: TokenModel;
    AccessToken: TokenModel;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
