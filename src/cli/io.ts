/** Where the CLI writes: stdout and stderr in production, arrays in tests. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}
