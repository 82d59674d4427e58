import { createMemoryStore } from "@sessionstore/core";
import { describeSessionStore } from "@sessionstore/testkit";

describeSessionStore("memory", () => createMemoryStore());
