/**
 * Runs inside Chromium (bundled by esbuild): the browser app of the client
 * tests, PlatformClient over the localStorage store.
 */

import { createCodeVerifier, createState, PlatformClient } from "@sessionstore/client";
import { createSessionManager } from "@sessionstore/core";
import { createLocalStorageStore } from "../../src/index.js";

/** What a test page keeps between evaluate calls. */
interface AppState {
  client?: PlatformClient;
  changes: string[];
  /** The client's 'logout' and 'refresh' events, as `<event>:<reason or trigger>`. */
  events: string[];
}

const app = { PlatformClient, createCodeVerifier, createState, createLocalStorageStore, createSessionManager };

declare global {
  interface Window {
    __app: typeof app;
    __state: AppState;
  }
}

window.__app = app;
window.__state = { changes: [], events: [] };
