export { startFakePlatform } from "./server.js";
export type {
  FakeClient,
  FakePlatform,
  FakePlatformOptions,
  FakePlatformStats,
  Fault,
  FaultTarget,
  GrantType,
  UnauthorizedStyle,
} from "./types.js";
