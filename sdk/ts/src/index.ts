export * from "./idl.js";
export * from "./pda.js";
export * from "./accounts.js";
export * from "./events.js";
export * from "./errors.js";
export * from "./engine.js";
export * from "./client.js";
