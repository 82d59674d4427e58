/**
 * A Worker that tries the stores the edge cannot run, one per route, and
 * answers with the error each factory throws: the runtime test checks it is
 * the clear `ERR_UNSUPPORTED_RUNTIME`-style message, not a crash deep inside.
 */
import { createFileStore } from "@sessionstore/file";
import { createLocalStorageStore } from "@sessionstore/local-storage";

const attempts: Record<string, () => unknown> = {
  "/file": () => createFileStore({ path: "/tmp/sessions.json" }),
  "/local-storage": () => createLocalStorageStore(),
};

export default {
  async fetch(request: Request): Promise<Response> {
    const attempt = attempts[new URL(request.url).pathname];
    if (!attempt) return Response.json({ error: "no route" }, { status: 404 });
    try {
      const store = attempt() as { get(key: string): Promise<unknown>; close(): Promise<void> };
      // Created: one call shows whether it works here at all.
      const value = await store.get("probe");
      await store.close();
      return Response.json({ created: true, value: value ?? null });
    } catch (error) {
      const { name, message, code } = error as { name?: string; message?: string; code?: string };
      return Response.json({ created: false, error: { name, message, code } });
    }
  },
};
