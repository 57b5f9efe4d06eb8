// The local RDS lives in src/sandbox: the sandbox and the tests share it.
export * from "../../src/sandbox/rds.js";
